// DefaultStorageClass admission: a PersistentVolumeClaim created without storageClassName gets the
// default StorageClass (annotation storageclass.kubernetes.io/is-default-class=true; the newest
// one if several), as upstream. An explicit "" (no class) is left alone.
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { AdmissionRequest, Stores } from './types.js';
import { listIn } from './types.js';

const DEFAULT_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export function isDefaultClass(sc: KObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return DEFAULT_ANNOTATIONS.some((k) => a[k] === 'true');
}

export async function admitDefaultStorageClass(req: AdmissionRequest, stores: Stores): Promise<void> {
  if (req.operation !== 'CREATE' || req.subresource) return;
  if (!isPlainObject(req.obj.spec)) req.obj.spec = {};
  const spec = req.obj.spec as { storageClassName?: string | null };
  if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
  const defaults = (await listIn(stores, 'storage.k8s.io', 'storageclasses', '')).filter(isDefaultClass);
  if (!defaults.length) return;
  // Newest first; ties by name, as upstream picks one deterministically.
  defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  spec.storageClassName = defaults[0]!.metadata.name;
}
