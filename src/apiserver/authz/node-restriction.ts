// NodeRestriction admission (upstream's plugin of that name): a kubelet may create or change only
// its own Node, may create only mirror pods bound to itself, and may update the status of or
// delete only pods bound to itself. Other users pass untouched.
import type { KObject } from '../../api/types.js';
import { forbidden } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { RequestContext } from '../registry/store.js';
import { nodeIdentity } from './node-identity.js';
import { podRefs } from './node-graph.js';

const MIRROR = 'kubernetes.io/config.mirror';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export function admitNodeRestriction(info: ResourceInfo, op: Operation, obj: KObject, old: KObject | undefined, subresource: string, ctx: RequestContext): void {
  if (info.group !== '' || (info.resource !== 'nodes' && info.resource !== 'pods')) return;
  const node = nodeIdentity(ctx.user);
  if (node === undefined) return;
  const name = obj.metadata.name ?? '';
  const deny = (why: string) => forbidden({ group: '', resource: info.resource }, name, why);
  if (!node) throw deny('could not determine node from user "' + ctx.user.name + '"');
  if (info.resource === 'nodes') {
    if (name !== node) throw deny(`node ${q(node)} is not allowed to modify node ${q(name)}`);
    if (op === 'CREATE') {
      const bad = forbiddenLabels(Object.keys(obj.metadata.labels ?? {}));
      if (bad.length) throw deny(`node ${q(node)} is not allowed to set the following labels: ${bad.join(', ')}`);
    }
    if (op === 'UPDATE' && old) {
      // A node that could drop its taints could steer workloads it must not run onto itself.
      const taints = (o: KObject) => JSON.stringify((o.spec as { taints?: unknown[] } | undefined)?.taints ?? []);
      if (taints(obj) !== taints(old)) throw deny(`node ${q(node)} is not allowed to modify taints`);
      const bad = forbiddenLabels(changedLabels(obj.metadata.labels ?? {}, old.metadata.labels ?? {}));
      if (bad.length) throw deny(`is not allowed to modify labels: ${bad.join(', ')}`);
    }
    return;
  }
  const boundTo = (p: KObject | undefined) => (p?.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
  if (op === 'CREATE' && !subresource) {
    if (!obj.metadata.annotations?.[MIRROR]) throw deny(`pod does not have ${q(MIRROR)} annotation, node ${q(node)} can only create mirror pods`);
    if (boundTo(obj) !== node) throw deny(`node ${q(node)} can only create pods with spec.nodeName set to itself`);
    // A mirror pod may not reach other API objects: the node could read them through it.
    const spec = (obj.spec ?? {}) as { serviceAccountName?: string; volumes?: { persistentVolumeClaim?: unknown }[] };
    if (spec.serviceAccountName) throw deny(`node ${q(node)} can not create pods that reference a service account`);
    const refs = podRefs(obj);
    if (refs.some((r) => r.startsWith('secret/'))) throw deny(`node ${q(node)} can not create pods that reference secrets`);
    if (refs.some((r) => r.startsWith('configmap/'))) throw deny(`node ${q(node)} can not create pods that reference configmaps`);
    if ((spec.volumes ?? []).some((v) => v?.persistentVolumeClaim)) throw deny(`node ${q(node)} can not create pods that reference persistentvolumeclaims`);
    return;
  }
  if (op === 'UPDATE' && subresource === 'status') {
    if (boundTo(old ?? obj) !== node) throw deny(`node ${q(node)} can only update pod status for pods with spec.nodeName set to itself`);
    if (old && JSON.stringify(obj.metadata.labels ?? {}) !== JSON.stringify(old.metadata.labels ?? {})) throw deny(`node ${q(node)} cannot update labels through pod status`);
    return;
  }
  if (op === 'DELETE') {
    if (boundTo(obj) !== node) throw deny(`node ${q(node)} can only delete pods with spec.nodeName set to itself`);
  }
}

function q(s: string): string {
  return JSON.stringify(s);
}

// Labels a kubelet may set on its own Node (upstream's kubelet label set): the well-known ones, and
// anything under kubelet.kubernetes.io or node.kubernetes.io. Other kubernetes.io / k8s.io labels,
// and node-restriction.kubernetes.io ones, are the cluster administrator's.
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname', 'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type',
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
]);

function labelNamespace(key: string): string {
  const i = key.indexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

const within = (ns: string, domain: string) => ns === domain || ns.endsWith(`.${domain}`);

export function forbiddenLabels(keys: string[]): string[] {
  return keys.filter((k) => {
    const ns = labelNamespace(k);
    if (within(ns, 'node-restriction.kubernetes.io')) return true;
    const kubernetesLabel = within(ns, 'kubernetes.io') || within(ns, 'k8s.io');
    const kubeletLabel = KUBELET_LABELS.has(k) || within(ns, 'kubelet.kubernetes.io') || within(ns, 'node.kubernetes.io');
    return kubernetesLabel && !kubeletLabel;
  }).sort();
}

function changedLabels(now: Record<string, string>, before: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(now), ...Object.keys(before)]);
  return [...keys].filter((k) => now[k] !== before[k]);
}

/**
 * A kubelet's TokenRequest must be bound to a pod on its node (upstream's NodeRestriction for
 * serviceaccounts/token). `getPod` reads the pod (a 404 passes through as not found).
 */
export async function admitNodeTokenRequest(user: { name: string; groups: string[] }, namespace: string, account: string, body: KObject, getPod: (ns: string, name: string) => Promise<KObject>): Promise<void> {
  const node = nodeIdentity(user);
  if (node === undefined) return;
  const deny = (why: string) => forbidden({ group: '', resource: 'serviceaccounts' }, account, why);
  const ref = (body.spec as { boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string } } | undefined)?.boundObjectRef;
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw deny('node requested token not bound to a pod');
  if (!ref.uid) throw deny('node requested token with a pod binding without a uid');
  const pod = await getPod(namespace, ref.name);
  if (ref.uid !== pod.metadata.uid) throw deny(`the UID in the bound object reference (${ref.uid}) does not match the UID in record (${pod.metadata.uid}). The object might have been deleted and then recreated`);
  if ((pod.spec as { nodeName?: string } | undefined)?.nodeName !== node) throw deny('node requested token bound to a pod scheduled on a different node');
}
