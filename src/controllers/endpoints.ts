// The Endpoints controller (upstream pkg/controller/endpoint): for every Service with a selector,
// an Endpoints object of the same name listing the selected pods' addresses per resolved port
// set (ready in `addresses`, others in `notReadyAddresses`, or all ready with
// publishNotReadyAddresses), packed into subsets as upstream's RepackSubsets does. Services
// without a selector are left to their users; a deleted Service takes its Endpoints along.
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
import { isIPv6 } from 'node:net';

const MAX_CAPACITY = 1000;
const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

type Endpoints = KObject & { subsets?: EndpointSubset[] };

/** The pod IP of the Service's primary family (IPv4 unless the Service says IPv6). */
function serviceIP(svc: Service, pod: Pod): string | undefined {
  const v6 = svc.spec?.ipFamilies?.[0] === 'IPv6' || (!!svc.spec?.clusterIP && isIPv6(svc.spec.clusterIP));
  return podIPs(pod).find((ip) => isIPv6(ip) === v6);
}

/** Desired subsets for a Service (exported for tests). */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const ports = svc.spec?.ports ?? [];
  const headless = svc.spec?.clusterIP === 'None';
  // Address → resolved ports, then grouped by identical port sets.
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = serviceIP(svc, pod);
    if (!ip) continue;
    const addr: EndpointAddress = { ip, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! } };
    if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
    if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name) addr.hostname = pod.spec.hostname;
    const resolved: EndpointPort[] = [];
    for (const sp of ports) {
      const n = findPort(pod, sp);
      if (n === undefined) continue;
      const ep: EndpointPort = { port: n, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      resolved.push(ep);
    }
    if (resolved.length === 0 && !(ports.length === 0 && headless)) continue;
    resolved.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol));
    const key = JSON.stringify(resolved);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: resolved, ready: [], notReady: [] }));
    (tolerateUnready || isPodReady(pod) ? g.ready : g.notReady).push(addr);
  }
  const byAddress = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip) || a.targetRef.uid.localeCompare(b.targetRef.uid);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => {
      const s: EndpointSubset = {};
      if (g.ready.length) s.addresses = g.ready.sort(byAddress);
      if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byAddress);
      if (g.ports.length) s.ports = g.ports;
      return s;
    });
}

/** Keeps at most 1000 addresses, ready ones first (upstream's over-capacity truncation). */
function truncate(subsets: EndpointSubset[]): { subsets: EndpointSubset[]; truncated: boolean } {
  let total = 0;
  for (const s of subsets) total += (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0);
  if (total <= MAX_CAPACITY) return { subsets, truncated: false };
  let budget = MAX_CAPACITY;
  const out = subsets.map((s) => ({ ...s }));
  for (const list of ['addresses', 'notReadyAddresses'] as const) {
    for (const s of out) {
      const l = s[list] ?? [];
      s[list] = l.slice(0, budget);
      budget -= s[list]!.length;
      if (s[list]!.length === 0) delete s[list];
    }
  }
  return { subsets: out.filter((s) => s.addresses || s.notReadyAddresses), truncated: true };
}

function desiredLabels(svc: Service): Record<string, string> {
  const labels = { ...(svc.metadata.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

export const endpointsController: ControllerDef = {
  name: 'endpoints',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client } = ctx;
    const services = ctx.informers.informer<Service>('', 'v1', 'services');
    const pods = ctx.informers.informer<Pod>('', 'v1', 'pods');
    const endpoints = ctx.informers.informer<Endpoints>('', 'v1', 'endpoints');
    const controller = new Controller({ name: 'endpoints', log: ctx.log, workers: 4 }, async (key) => {
      const { namespace, name } = splitKey(key);
      // The API server maintains default/kubernetes itself.
      if (namespace === 'default' && name === 'kubernetes') return;
      if (!expectations.satisfied(key, (n) => endpoints.get(namespace, n))) return { requeueAfterMs: 200 };
      const svc = services.getByKey(key);
      const path = resourcePath('', 'v1', 'endpoints', namespace, name);
      if (!svc) {
        if (!endpoints.getByKey(key)) return;
        try {
          await client.delete(path);
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
        return;
      }
      if (!hasSelector(svc)) return;
      const { subsets, truncated } = truncate(desiredSubsets(svc, selectedPods(pods, svc)));
      const labels = desiredLabels(svc);
      const current = endpoints.getByKey(key);
      const currentOver = current?.metadata.annotations?.[OVER_CAPACITY_ANNOTATION] === 'truncated';
      if (current && jsonEqual(current.subsets ?? [], subsets) && jsonEqual(current.metadata.labels ?? {}, labels) && currentOver === truncated) {
        triggers.delete(key);
        return;
      }
      const trigger = triggers.get(key);
      const next: Endpoints = current ? clone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
      next.subsets = subsets;
      next.metadata.labels = labels;
      const annotations = { ...(next.metadata.annotations ?? {}) };
      if (trigger !== undefined) annotations[TRIGGER_TIME_ANNOTATION] = rfc3339(trigger);
      if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
      else delete annotations[OVER_CAPACITY_ANNOTATION];
      next.metadata.annotations = annotations;
      try {
        const written = current ? await client.update(path, next) : await client.create(resourcePath('', 'v1', 'endpoints', namespace), next);
        expectations.expect(key, name, written);
        triggers.delete(key);
      } catch (e) {
        // A namespace being deleted refuses creates: not worth an event or a retry storm.
        if (e instanceof StatusError && e.code === 403) return;
        if (!(e instanceof StatusError && e.code === 409)) {
          ctx.recorder.event(svc, 'Warning', current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint', `Failed to ${current ? 'update' : 'create'} endpoint ${namespace}/${name}: ${(e as Error).message}`);
        }
        throw e;
      }
    });
    const expectations = new WriteExpectations();
    const triggers = watchServicePods(services, pods, (k) => controller.enqueue(k));
    endpoints.addHandler({
      // Someone else changed or removed our Endpoints: put it back.
      onUpdate: (old, ep) => {
        if (old !== ep) controller.enqueue(`${ep.metadata.namespace}/${ep.metadata.name}`);
      },
      onDelete: (ep) => controller.enqueue(`${ep.metadata.namespace}/${ep.metadata.name}`),
    });
    if (!(await waitForCacheSync([services, pods, endpoints], signal))) return;
    await controller.run(signal);
  },
};
