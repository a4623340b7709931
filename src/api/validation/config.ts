// ConfigMap and Secret validation (upstream ValidateConfigMap*, ValidateSecret*): key format, the
// 1 MiB size limit, per-type required keys, and the `immutable: true` lock on updates.
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { deepEqual, immutable, key, obj, str } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isConfigMapKey, nameIsDNSSubdomain } from './names.js';

export const MAX_SECRET_SIZE = 1024 * 1024;
const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';

/** Byte length of a base64 value as carried in JSON `data`/`binaryData`. */
const decodedLength = (v: unknown): number => (typeof v === 'string' ? Buffer.from(v, 'base64').length : 0);

function validateKeys(bag: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(bag).sort()) for (const m of isConfigMapKey(k)) errs.push(fieldErrors.invalid(key(path, k), k, m));
  return errs;
}

export function validateConfigMap(cm: KObject): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
  const data = obj(cm.data) ?? {};
  const binary = obj(cm.binaryData) ?? {};
  errs.push(...validateKeys(data, 'data'));
  for (const k of Object.keys(data).sort()) if (k in binary) errs.push(fieldErrors.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
  errs.push(...validateKeys(binary, 'binaryData'));
  let size = 0;
  for (const v of Object.values(data)) size += Buffer.byteLength(String(v ?? ''));
  for (const v of Object.values(binary)) size += decodedLength(v);
  // Upstream reports this against the whole object: an empty field path.
  if (size > MAX_SECRET_SIZE) errs.push(fieldErrors.tooLong('', MAX_SECRET_SIZE));
  return errs;
}

function validateImmutableLock(next: KObject, prev: KObject, bags: string[]): FieldError[] {
  if (prev.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (next.immutable !== true) errs.push(fieldErrors.forbidden('immutable', IMMUTABLE_MSG));
  for (const b of bags) if (!deepEqual(next[b] ?? {}, prev[b] ?? {})) errs.push(fieldErrors.forbidden(b, IMMUTABLE_MSG));
  return errs;
}

export function validateConfigMapUpdate(cm: KObject, old: KObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(cm.metadata, old.metadata),
    ...validateImmutableLock(cm, old, ['data', 'binaryData']),
    ...validateConfigMap(cm).filter((e) => !e.field.startsWith('metadata')),
  ];
}

const required = (k: string): FieldError => fieldErrors.required(key('data', k), '');

function validateSecretType(secret: KObject, data: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!str(secret.metadata.annotations?.['kubernetes.io/service-account.name'])) {
        errs.push(fieldErrors.required(key('metadata.annotations', 'kubernetes.io/service-account.name'), ''));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const k = secret.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!(k in data)) { errs.push(required(k)); break; }
      try {
        JSON.parse(Buffer.from(String(data[k]), 'base64').toString('utf8'));
      } catch (e) {
        errs.push(fieldErrors.invalid(key('data', k), '<secret contents redacted>', e instanceof Error ? e.message : String(e)));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) errs.push(required('username'), required('password'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (decodedLength(data['ssh-privatekey']) === 0) errs.push(required('ssh-privatekey'));
      break;
    case 'kubernetes.io/tls':
      if (!('tls.crt' in data)) errs.push(required('tls.crt'));
      if (!('tls.key' in data)) errs.push(required('tls.key'));
      break;
  }
  return errs;
}

export function validateSecret(secret: KObject): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, true, nameIsDNSSubdomain);
  const data = obj(secret.data) ?? {};
  errs.push(...validateKeys(data, 'data'));
  let size = 0;
  for (const v of Object.values(data)) size += decodedLength(v);
  if (size > MAX_SECRET_SIZE) errs.push(fieldErrors.tooLong('data', MAX_SECRET_SIZE));
  errs.push(...validateSecretType(secret, data));
  return errs;
}

export function validateSecretUpdate(secret: KObject, old: KObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(secret.metadata, old.metadata),
    ...immutable(secret.type ?? '', old.type ?? '', 'type'),
    ...validateImmutableLock(secret, old, ['data']),
    ...validateSecret(secret).filter((e) => !e.field.startsWith('metadata')),
  ];
}
