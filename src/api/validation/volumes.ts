// Pod volume validation (upstream ValidateVolumes): unique DNS-label names, exactly one source,
// and the required fields of the commonly used sources.
import { fieldErrors, type FieldError } from '../errors.js';
import { arr, child, index, num, obj, oneOf, str, type Obj } from './field.js';
import { isConfigMapKey, isDNS1123Label } from './names.js';

/** Every volume source field of core/v1 VolumeSource, in upstream's checking order. */
export const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'quobyte', 'cinder', 'cephfs', 'downwardAPI', 'fc', 'azureFile', 'vsphereVolume',
  'photonPersistentDisk', 'projected', 'portworxVolume', 'azureDisk', 'scaleIO', 'storageos', 'flexVolume', 'configMap', 'csi', 'ephemeral', 'image',
];

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const FILE_MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateMode(v: unknown, path: string): FieldError[] {
  const n = num(v);
  if (n === undefined) return [];
  return n < 0 || n > 0o777 ? [fieldErrors.invalid(path, n, FILE_MODE_MSG)] : [];
}

/** KeyToPath items: key required, path relative without '..'. */
function validateItems(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(items).forEach((it, i) => {
    const item = obj(it) ?? {};
    const ip = index(path, i);
    const k = str(item.key) ?? '';
    if (!k) errs.push(fieldErrors.required(child(ip, 'key'), ''));
    else for (const m of isConfigMapKey(k)) errs.push(fieldErrors.invalid(child(ip, 'key'), k, m));
    errs.push(...validateLocalPath(item.path, child(ip, 'path')));
    errs.push(...validateMode(item.mode, child(ip, 'mode')));
  });
  return errs;
}

function validateLocalPath(p: unknown, path: string): FieldError[] {
  const s = str(p) ?? '';
  if (!s) return [fieldErrors.required(path, '')];
  if (s.startsWith('/')) return [fieldErrors.invalid(path, s, 'must be a relative path')];
  if (s.split('/').includes('..')) return [fieldErrors.invalid(path, s, "must not contain '..'")];
  if (s.startsWith('..')) return [fieldErrors.invalid(path, s, "must not start with '..'")];
  return [];
}

function validateSource(kind: string, src: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (kind) {
    case 'hostPath': {
      const p = str(src.path) ?? '';
      if (!p) errs.push(fieldErrors.required(child(path, 'path'), ''));
      else if (p.split('/').includes('..')) errs.push(fieldErrors.invalid(child(path, 'path'), p, "must not contain '..'"));
      if (src.type !== undefined && src.type !== null) errs.push(...oneOf(src.type, child(path, 'type'), HOST_PATH_TYPES, false));
      break;
    }
    case 'secret':
      if (!str(src.secretName)) errs.push(fieldErrors.required(child(path, 'secretName'), ''));
      errs.push(...validateMode(src.defaultMode, child(path, 'defaultMode')), ...validateItems(src.items, child(path, 'items')));
      break;
    case 'configMap':
      if (!str(src.name)) errs.push(fieldErrors.required(child(path, 'name'), ''));
      errs.push(...validateMode(src.defaultMode, child(path, 'defaultMode')), ...validateItems(src.items, child(path, 'items')));
      break;
    case 'persistentVolumeClaim':
      if (!str(src.claimName)) errs.push(fieldErrors.required(child(path, 'claimName'), ''));
      break;
    case 'nfs': {
      if (!str(src.server)) errs.push(fieldErrors.required(child(path, 'server'), ''));
      const p = str(src.path) ?? '';
      if (!p) errs.push(fieldErrors.required(child(path, 'path'), ''));
      else if (!p.startsWith('/')) errs.push(fieldErrors.invalid(child(path, 'path'), p, 'must be an absolute path'));
      break;
    }
    case 'csi':
      if (!str(src.driver)) errs.push(fieldErrors.required(child(path, 'driver'), ''));
      break;
    case 'downwardAPI':
    case 'projected':
      errs.push(...validateMode(src.defaultMode, child(path, 'defaultMode')));
      break;
    case 'ephemeral':
      if (!obj(src.volumeClaimTemplate)) errs.push(fieldErrors.required(child(path, 'volumeClaimTemplate'), ''));
      break;
  }
  return errs;
}

/** Returns the errors and the set of valid volume names (for volumeMount lookups). */
export function validateVolumes(volumes: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  const seen = new Set<string>();
  arr(volumes).forEach((v, i) => {
    const vol = obj(v) ?? {};
    const ip = index(path, i);
    const name = str(vol.name) ?? '';
    let ok = true;
    if (!name) { errs.push(fieldErrors.required(child(ip, 'name'), '')); ok = false; }
    else {
      const msgs = isDNS1123Label(name);
      for (const m of msgs) errs.push(fieldErrors.invalid(child(ip, 'name'), name, m));
      if (msgs.length) ok = false;
      if (seen.has(name)) { errs.push(fieldErrors.duplicate(child(ip, 'name'), name)); ok = false; }
      seen.add(name);
    }
    let count = 0;
    for (const kind of VOLUME_SOURCES) {
      const src = obj(vol[kind]);
      if (!src) continue;
      if (count++ > 0) { errs.push(fieldErrors.forbidden(child(ip, kind), 'may not specify more than 1 volume type')); continue; }
      const srcErrs = validateSource(kind, src, child(ip, kind));
      errs.push(...srcErrs);
      if (srcErrs.length) ok = false;
    }
    if (count === 0) { errs.push(fieldErrors.required(ip, 'must specify a volume type')); ok = false; }
    // Like upstream, only a fully valid volume can be mounted; mounts of broken ones report Not found.
    if (ok) names.add(name);
  });
  return { errs, names };
}
