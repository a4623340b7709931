// The EndpointSlice controller (upstream pkg/controller/endpointslice): for every Service with a
// selector, discovery.k8s.io/v1 EndpointSlices (at most 100 endpoints each, one address type
// each) named `<service>-<random>`, labelled kubernetes.io/service-name and
// endpointslice.kubernetes.io/managed-by, owned by the Service. Endpoints carry the
// ready/serving/terminating conditions, nodeName, zone, hostname and a Pod targetRef; terminating
// pods stay listed (serving, not ready) as upstream does since EndpointSliceTerminatingCondition.
import { isIPv6 } from 'node:net';
import type { KObject } from '../api/types.js';
import { clone } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';
import { splitKey } from '../client/informer.js';
import { Controller } from '../client/controller.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { findPort, isPodReady, podIPs, shouldPodBeInEndpoints, type Pod } from './util/pod.js';
import { HEADLESS_LABEL, TRIGGER_TIME_ANNOTATION, hasSelector, rfc3339, selectedPods, watchServicePods, type Service } from './util/service.js';
import { waitForCacheSync } from './util/sync.js';
import { jsonEqual } from './util/equal.js';
import { WriteExpectations } from './util/expectations.js';
import { planSlices, portsKey, type DesiredGroup, type EndpointSlice, type SliceEndpoint, type SlicePort } from './endpointslice-plan.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const MAX_ENDPOINTS_PER_SLICE = 100;

function addressTypes(svc: Service): string[] {
  const fams = svc.spec?.ipFamilies?.length ? svc.spec.ipFamilies : [svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' && isIPv6(svc.spec.clusterIP) ? 'IPv6' : 'IPv4'];
  return fams.filter((f) => f === 'IPv4' || f === 'IPv6');
}

/** Desired endpoints of one address type, grouped by resolved port set. */
export function desiredGroups(svc: Service, pods: Pod[], addressType: string, zoneOf: (node: string) => string | undefined): DesiredGroup[] {
  const groups = new Map<string, DesiredGroup>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ip = podIPs(pod).find((a) => isIPv6(a) === (addressType === 'IPv6'));
    if (!ip) continue;
    const ports: SlicePort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const n = findPort(pod, sp);
      if (n === undefined) continue;
      const p: SlicePort = { name: sp.name ?? '', port: n, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      ports.push(p);
    }
    const serving = isPodReady(pod);
    const terminating = !!pod.metadata.deletionTimestamp;
    // "ready" is never true for a terminating pod unless publishNotReadyAddresses says so.
    const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
    const ep: SliceEndpoint = { addresses: [ip], conditions: { ready, serving, terminating } };
    if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name) ep.hostname = pod.spec.hostname;
    if (pod.spec?.nodeName) {
      ep.nodeName = pod.spec.nodeName;
      const zone = zoneOf(pod.spec.nodeName);
      if (zone) ep.zone = zone;
    }
    ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! };
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(ep);
  }
  return [...groups.values()];
}

function sliceLabels(svc: Service): Record<string, string> {
  const labels = { ...(svc.metadata.labels ?? {}) };
  delete labels[SERVICE_NAME_LABEL];
  delete labels[MANAGED_BY_LABEL];
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

export const endpointSliceController: ControllerDef = {
  name: 'endpointslice',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client } = ctx;
    const services = ctx.informers.informer<Service>('', 'v1', 'services');
    const pods = ctx.informers.informer<Pod>('', 'v1', 'pods');
    const nodes = ctx.informers.informer('', 'v1', 'nodes');
    const slices = ctx.informers.informer<EndpointSlice>('discovery.k8s.io', 'v1', 'endpointslices');
    const zoneOf = (node: string) => nodes.get('', node)?.metadata.labels?.[ZONE_LABEL];
    const collection = (ns: string) => resourcePath('discovery.k8s.io', 'v1', 'endpointslices', ns);

    const controller = new Controller({ name: 'endpointslice', log: ctx.log, workers: 4 }, async (key) => {
      const { namespace, name } = splitKey(key);
      if (!expectations.satisfied(key, (n) => slices.get(namespace, n))) return { requeueAfterMs: 200 };
      const svc = services.getByKey(key);
      const owned = slices.list(namespace).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME);
      // Selectorless Services get their slices from someone else (users, or a mirroring controller).
      if (svc && !hasSelector(svc)) return;
      // ExternalName Services get no endpoints from this controller (upstream issue 105986).
      if (svc?.spec?.type === 'ExternalName') return;
      const liveOwned = svc ? owned.filter((s) => !s.metadata.ownerReferences?.length || s.metadata.ownerReferences.some((r) => r.uid === svc.metadata.uid)) : [];
      const stale = owned.filter((s) => !liveOwned.includes(s));
      const toDelete: EndpointSlice[] = [...stale];
      const toCreate: KObject[] = [];
      const toUpdate: KObject[] = [];
      if (svc) {
        const selected = selectedPods(pods, svc);
        const labels = sliceLabels(svc);
        const trigger = triggers.get(key);
        const annotate = (m: KObject['metadata']) => {
          if (trigger !== undefined) m.annotations = { ...(m.annotations ?? {}), [TRIGGER_TIME_ANNOTATION]: rfc3339(trigger) };
        };
        addressTypes(svc).forEach((addressType, i) => {
          const existing = liveOwned.filter((s) => s.addressType === addressType);
          const plan = planSlices(desiredGroups(svc, selected, addressType, zoneOf), existing, MAX_ENDPOINTS_PER_SLICE, i === 0);
          toDelete.push(...plan.delete);
          for (const c of plan.create) {
            const meta: KObject['metadata'] = {
              generateName: `${name}-`,
              namespace,
              labels,
              ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
            };
            annotate(meta);
            toCreate.push({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta, addressType, endpoints: c.endpoints, ports: c.ports });
          }
          for (const u of plan.update) {
            const next = clone(u.slice);
            next.endpoints = u.endpoints;
            next.ports = u.ports;
            next.metadata.labels = labels;
            annotate(next.metadata);
            toUpdate.push(next);
          }
          // Label drift (the Service's labels changed) also needs a write.
          for (const s of existing) {
            if (plan.delete.includes(s) || plan.update.some((u) => u.slice === s) || jsonEqual(s.metadata.labels ?? {}, labels)) continue;
            toUpdate.push({ ...clone(s), metadata: { ...clone(s.metadata), labels } });
          }
        });
        // Slices of an address type the Service no longer has.
        const types = addressTypes(svc);
        toDelete.push(...liveOwned.filter((s) => !types.includes(s.addressType)));
      }
      for (const s of toUpdate) {
        const written = await client.update(resourcePath('discovery.k8s.io', 'v1', 'endpointslices', namespace, s.metadata.name), s);
        expectations.expect(key, s.metadata.name!, written);
      }
      for (const s of toCreate) {
        try {
          const written = await client.create(collection(namespace), s);
          expectations.expect(key, written.metadata.name!, written);
        } catch (e) {
          if (e instanceof StatusError && e.code === 403) return; // namespace terminating
          throw e;
        }
      }
      for (const s of toDelete) {
        try {
          await client.delete(resourcePath('discovery.k8s.io', 'v1', 'endpointslices', namespace, s.metadata.name));
          expectations.expect(key, s.metadata.name!, null);
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      }
      triggers.delete(key);
    });
    const expectations = new WriteExpectations();
    const triggers = watchServicePods(services, pods, (k) => controller.enqueue(k));
    const bySlice = (s: EndpointSlice) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME) controller.enqueue(`${s.metadata.namespace}/${svc}`);
    };
    slices.addHandler({ onUpdate: (old, s) => old !== s && bySlice(s), onDelete: bySlice });
    if (!(await waitForCacheSync([services, pods, nodes, slices], signal))) return;
    await controller.run(signal);
  },
};
