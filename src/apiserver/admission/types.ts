// Shared shapes for the admission plugins: the request they see, typed views of the pod fields
// they touch, and small store look-ups (admission runs inside the API server, so it reads the
// stores directly rather than through an informer cache).
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { forbidden, type StatusError } from '../../api/errors.js';
import type { RequestContext, Store } from '../registry/store.js';

export type Stores = Map<string, Store>;

export interface AdmissionRequest {
  info: ResourceInfo;
  operation: 'CREATE' | 'UPDATE';
  obj: KObject;
  old?: KObject;
  subresource: string;
  namespace: string;
  ctx: RequestContext;
}

export interface ResourceRequirements {
  requests?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}

export interface ContainerSpec {
  name?: string;
  resources?: ResourceRequirements;
  restartPolicy?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface PodSpec {
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  overhead?: Record<string, unknown>;
  serviceAccountName?: string;
  serviceAccount?: string;
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: string;
  tolerations?: Toleration[];
  activeDeadlineSeconds?: number;
}

export function podSpec(pod: KObject): PodSpec {
  if (!isPlainObject(pod.spec)) pod.spec = {};
  return pod.spec as PodSpec;
}

/** `pods "x" is forbidden: <why>` (admission.NewForbidden). */
export function admissionForbidden(req: AdmissionRequest, why: string): StatusError {
  return forbidden({ group: req.info.group, resource: req.info.resource }, req.obj.metadata.name ?? '', why);
}

export function storeFor(stores: Stores, group: string, resource: string): Store {
  const s = stores.get(`${group}/${resource}`);
  if (!s) throw new Error(`no store for ${group}/${resource}`);
  return s;
}

/**
 * All objects of a resource in a namespace ('' for cluster-scoped), in storage form. Policy
 * objects (LimitRanges, ResourceQuotas, PriorityClasses, PDBs) come from the store's memo
 * (read only); everything else is read fresh.
 */
export async function listIn(stores: Stores, group: string, resource: string, namespace: string): Promise<KObject[]> {
  return storeFor(stores, group, resource).listCached(namespace);
}
