// PersistentVolume and PersistentVolumeClaim validation (upstream core ValidatePersistentVolume*,
// ValidatePersistentVolumeClaim*).
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { arr, child, deepEqual, goValue, immutable, key, obj, str, type Obj } from './field.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from './names.js';
import { parseQuantity, quantityText } from './quantity.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const PV_SOURCES = [
  'hostPath', 'local', 'nfs', 'csi', 'iscsi', 'fc', 'rbd', 'cephfs', 'cinder', 'glusterfs', 'flexVolume', 'azureFile', 'azureDisk',
  'vsphereVolume', 'gcePersistentDisk', 'awsElasticBlockStore', 'quobyte', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos', 'flocker',
];

function validateAccessModes(modes: unknown, path: string, requiredDetail: string): FieldError[] {
  const list = arr(modes);
  const errs: FieldError[] = [];
  if (list.length === 0) errs.push(fieldErrors.required(path, requiredDetail));
  for (const m of list) if (typeof m !== 'string' || !ACCESS_MODES.includes(m)) errs.push(fieldErrors.notSupported(path, m, ACCESS_MODES));
  return errs;
}

function validateVolumeMode(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  return typeof v === 'string' && VOLUME_MODES.includes(v) ? [] : [fieldErrors.notSupported(path, v, VOLUME_MODES)];
}

function validateStorageClassName(v: unknown, path: string): FieldError[] {
  const s = str(v);
  return s ? isDNS1123Subdomain(s).map((m) => fieldErrors.invalid(path, s, m)) : [];
}

/** ValidatePersistentVolumeClaimSpec; also used for StatefulSet volumeClaimTemplates. */
export function validatePVCSpec(spec: Obj | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, child(path, 'accessModes'), 'at least 1 access mode is required');
  if (obj(s.selector)) errs.push(...validateLabelSelector(s.selector, child(path, 'selector')));
  const storagePath = key(child(path, 'resources'), 'storage');
  const requests = obj(obj(s.resources)?.requests) ?? {};
  if (!('storage' in requests)) errs.push(fieldErrors.required(storagePath, ''));
  else {
    const q = parseQuantity(requests.storage);
    if (q !== undefined && q <= 0) errs.push(fieldErrors.invalid(storagePath, quantityText(requests.storage), 'must be greater than zero'));
  }
  errs.push(...validateStorageClassName(s.storageClassName, child(path, 'storageClassName')));
  errs.push(...validateVolumeMode(s.volumeMode, child(path, 'volumeMode')));
  return errs;
}

export function validatePVC(pvc: KObject): FieldError[] {
  return [...validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain), ...validatePVCSpec(obj(pvc.spec), 'spec')];
}

export function validatePVCUpdate(pvc: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pvc.metadata, old.metadata), ...validatePVCSpec(obj(pvc.spec), 'spec')];
  const next = { ...(obj(pvc.spec) ?? {}) };
  const prev = { ...(obj(old.spec) ?? {}) };
  // Binding fills volumeName once; bound claims may change their storage request (expansion).
  if (!prev.volumeName && next.volumeName) prev.volumeName = next.volumeName;
  const bound = obj(old.status)?.phase === 'Bound';
  if (bound) {
    const newReq = parseQuantity(obj(obj(next.resources)?.requests)?.storage);
    const oldReq = parseQuantity(obj(obj(prev.resources)?.requests)?.storage);
    if (newReq !== undefined && oldReq !== undefined && newReq < oldReq) {
      errs.push(fieldErrors.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
    }
    next.resources = prev.resources;
  }
  if (!deepEqual(next, prev)) errs.push(fieldErrors.forbidden('spec', 'spec is immutable after creation except resources.requests for bound claims'));
  return errs;
}

export function validatePV(pv: KObject): FieldError[] {
  const spec = obj(pv.spec) ?? {};
  const errs = [...validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain), ...validateAccessModes(spec.accessModes, 'spec.accessModes', '')];
  const capacity = obj(spec.capacity) ?? {};
  if (Object.keys(capacity).length === 0) errs.push(fieldErrors.required('spec.capacity', ''));
  else if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(fieldErrors.notSupported('spec.capacity', goValue(capacity), ['storage']));
  else {
    const q = parseQuantity(capacity.storage);
    if (q !== undefined && q <= 0) errs.push(fieldErrors.invalid('spec.capacity[storage]', quantityText(capacity.storage), 'must be greater than zero'));
  }
  const rp = spec.persistentVolumeReclaimPolicy;
  if (rp !== undefined && (typeof rp !== 'string' || !RECLAIM_POLICIES.includes(rp))) errs.push(fieldErrors.notSupported('spec.persistentVolumeReclaimPolicy', rp, RECLAIM_POLICIES));
  const sources = PV_SOURCES.filter((s) => obj(spec[s]));
  if (sources.length === 0) errs.push(fieldErrors.required('spec', 'must specify a volume type'));
  for (const s of sources.slice(1)) errs.push(fieldErrors.forbidden(`spec.${s}`, 'may not specify more than 1 volume type'));
  const hp = obj(spec.hostPath);
  if (hp && !str(hp.path)) errs.push(fieldErrors.required('spec.hostPath.path', ''));
  const local = obj(spec.local);
  if (local && !str(local.path)) errs.push(fieldErrors.required('spec.local.path', ''));
  if (local && !obj(spec.nodeAffinity)) errs.push(fieldErrors.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  errs.push(...validateStorageClassName(spec.storageClassName, 'spec.storageClassName'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  return errs;
}

export function validatePVUpdate(pv: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pv.metadata, old.metadata), ...validatePV(pv).filter((e) => !e.field.startsWith('metadata'))];
  const next = obj(pv.spec) ?? {};
  const prev = obj(old.spec) ?? {};
  const source = (s: Obj): Obj => Object.fromEntries(PV_SOURCES.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  if (!deepEqual(source(next), source(prev))) errs.push(fieldErrors.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  errs.push(...immutable(next.volumeMode, prev.volumeMode, 'spec.volumeMode'));
  if (prev.nodeAffinity !== undefined) errs.push(...immutable(next.nodeAffinity, prev.nodeAffinity, 'spec.nodeAffinity', (v) => JSON.stringify(v)));
  return errs;
}
