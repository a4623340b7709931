// The scale subresource of custom resources: an autoscaling/v1 Scale read from and written to
// the paths the CRD names (specReplicasPath, statusReplicasPath, labelSelectorPath).
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { evalPath } from './printer.js';

export interface ScalePaths {
  specReplicasPath?: string;
  statusReplicasPath?: string;
  labelSelectorPath?: string;
}

const paths = new WeakMap<ResourceInfo, () => ScalePaths | undefined>();

export function registerScalePaths(info: ResourceInfo, get: () => ScalePaths | undefined): void {
  paths.set(info, get);
}

/** The Scale of a custom object, or undefined for built-in resources. */
export function customScale(info: ResourceInfo, obj: KObject): KObject | undefined {
  const p = paths.get(info)?.();
  if (!p) return undefined;
  const spec = evalPath(obj, p.specReplicasPath ?? '');
  const status = evalPath(obj, p.statusReplicasPath ?? '');
  const selector = p.labelSelectorPath ? evalPath(obj, p.labelSelectorPath) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: typeof spec === 'number' ? spec : 0 },
    status: { replicas: typeof status === 'number' ? status : 0, selector: typeof selector === 'string' ? selector : '' },
  };
}

/** Writes the replicas at specReplicasPath; false for built-in resources. */
export function setCustomReplicas(info: ResourceInfo, obj: KObject, replicas: number): boolean {
  const p = paths.get(info)?.()?.specReplicasPath;
  if (!p) return false;
  const keys = p.split('.').filter(Boolean);
  let cur: Record<string, unknown> = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isPlainObject(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = replicas;
  return true;
}
