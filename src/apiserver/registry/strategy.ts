// Per-resource behaviour the generic store consults: which part is status, whether generation is
// tracked, how status is reset on create, how deletion works. Mirrors upstream's registry strategies.
import type { KObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { qosClass } from '../../api/qos.js';
import { csrPrepareForCreate, csrPrepareForUpdate } from './csr-strategy.js';

export interface Strategy {
  /** Has a status subresource: main-resource writes keep the stored status; status writes keep the rest. */
  hasStatus: boolean;
  /** metadata.generation is set to 1 on create and bumped when anything but metadata/status changes. */
  tracksGeneration: boolean;
  /** Called on create after defaulting input has been parsed (reset status etc.). */
  prepareForCreate?(obj: KObject): void;
  /** Called on update of the main resource ('' subresource) and of other writable subresources. */
  prepareForUpdate?(obj: KObject, old: KObject, subresource: string): void;
  /** Delete returns the deleted object (pods, services, namespaces) instead of a Success Status. */
  returnDeletedObject: boolean;
  /** PUT on a missing object creates it. */
  allowCreateOnUpdate: boolean;
  /** PUT without resourceVersion is accepted (last write wins). */
  allowUnconditionalUpdate: boolean;
}

const GENERATION = new Set([
  'apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'apps/daemonsets', 'batch/jobs', 'batch/cronjobs',
  'autoscaling/horizontalpodautoscalers', '/replicationcontrollers', 'policy/poddisruptionbudgets',
  'networking.k8s.io/networkpolicies', 'networking.k8s.io/ingresses', 'networking.k8s.io/ingressclasses',
  'scheduling.k8s.io/priorityclasses',
]);

const RETURN_OBJECT = new Set(['/pods', '/services', '/namespaces', '/persistentvolumes', '/persistentvolumeclaims', '/nodes']);
const CREATE_ON_UPDATE = new Set(['/endpoints', 'discovery.k8s.io/endpointslices', 'coordination.k8s.io/leases', '/events', 'events.k8s.io/events']);

export function strategyFor(info: ResourceInfo): Strategy {
  const id = `${info.group}/${info.resource}`;
  const hasStatus = (info.subresources ?? []).includes('status');
  const s: Strategy = {
    hasStatus,
    tracksGeneration: GENERATION.has(id),
    returnDeletedObject: RETURN_OBJECT.has(id),
    allowCreateOnUpdate: CREATE_ON_UPDATE.has(id),
    allowUnconditionalUpdate: true,
  };
  if (id === '/namespaces') {
    // spec.finalizers change only through the finalize subresource (as upstream's strategy).
    s.prepareForUpdate = (obj, old, sub) => {
      if (sub === 'finalize') return;
      const oldFin = (old.spec as { finalizers?: string[] } | undefined)?.finalizers;
      const spec = (obj.spec && typeof obj.spec === 'object' ? obj.spec : {}) as { finalizers?: string[] };
      if (oldFin) spec.finalizers = oldFin;
      else delete spec.finalizers;
      obj.spec = spec;
    };
  }
  if (hasStatus) {
    s.prepareForCreate = (obj) => {
      // Clients cannot set status on create (controllers own it); pods and a few others start with a phase.
      obj.status = initialStatus(id, obj);
      if (obj.status === undefined) delete obj.status;
    };
  }
  if (id === 'certificates.k8s.io/certificatesigningrequests') {
    s.prepareForCreate = csrPrepareForCreate;
    s.prepareForUpdate = csrPrepareForUpdate;
  }
  if (id === 'apps/daemonsets') {
    // apps/v1 keeps the DaemonSet's templateGeneration in an annotation: 1 on create, +1 whenever
    // the pod template changes (the controller labels pods with it: pod-template-generation).
    const create = s.prepareForCreate;
    s.prepareForCreate = (obj) => {
      create?.(obj);
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: '1' };
    };
    s.prepareForUpdate = (obj, old, sub) => {
      if (sub) return;
      const prev = Number(old.metadata.annotations?.[TEMPLATE_GENERATION] ?? '1') || 1;
      const changed = JSON.stringify((obj.spec as { template?: unknown } | undefined)?.template) !== JSON.stringify((old.spec as { template?: unknown } | undefined)?.template);
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: String(changed ? prev + 1 : prev) };
    };
  }
  return s;
}

const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

function initialStatus(id: string, obj: KObject): unknown {
  switch (id) {
    case '/pods':
      return { phase: 'Pending', qosClass: qosClass(obj) };
    case '/namespaces':
      return { phase: 'Active' };
    case '/persistentvolumes':
    case '/persistentvolumeclaims':
      return { phase: 'Pending' };
    case '/nodes':
      // Nodes register themselves with their status in the create (kubelet).
      return obj.status;
    case '/services':
      return { loadBalancer: {} };
    default:
      return {};
  }
}

/** Pod QoS class as upstream computes it (exact quantities: `1` and `1000m` are equal). */
export { qosClass };
