// storage.k8s.io: StorageClass (upstream pkg/apis/storage/validation).
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { deepEqual, immutable, obj, str } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

export function validateStorageClass(sc: KObject): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain);
  const provisioner = str(sc.provisioner) ?? '';
  if (!provisioner) errs.push(fieldErrors.required('provisioner', ''));
  else for (const m of isQualifiedName(provisioner.toLowerCase())) errs.push(fieldErrors.invalid('provisioner', provisioner, m));
  const params = obj(sc.parameters) ?? {};
  const keys = Object.keys(params);
  let size = 0;
  for (const k of keys) {
    if (!k) errs.push(fieldErrors.invalid('parameters', k, 'field can not be empty.'));
    size += k.length + String(params[k] ?? '').length;
  }
  if (keys.length > MAX_PARAMETERS) errs.push(fieldErrors.tooLong('parameters', MAX_PARAMETERS));
  if (size > MAX_PARAMETERS_SIZE) errs.push(fieldErrors.tooLong('parameters', MAX_PARAMETERS_SIZE));
  const rp = sc.reclaimPolicy;
  if (rp !== undefined && rp !== null && rp !== 'Delete' && rp !== 'Retain') errs.push(fieldErrors.notSupported('reclaimPolicy', rp, ['Delete', 'Retain']));
  const mode = sc.volumeBindingMode;
  if (mode === undefined || mode === null) errs.push(fieldErrors.required('volumeBindingMode', ''));
  else if (mode !== 'Immediate' && mode !== 'WaitForFirstConsumer') errs.push(fieldErrors.notSupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));
  return errs;
}

export function validateStorageClassUpdate(sc: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(sc.metadata, old.metadata), ...validateStorageClass(sc).filter((e) => !e.field.startsWith('metadata'))];
  if (!deepEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(fieldErrors.forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(fieldErrors.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(fieldErrors.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...immutable(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}
