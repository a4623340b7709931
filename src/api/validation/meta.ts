// ObjectMeta validation shared by every kind (upstream apimachinery ValidateObjectMeta and
// ValidateObjectMetaUpdate, plus core's finalizer rule), and label/annotation/selector checks.
import { fieldErrors, type FieldError } from '../errors.js';
import type { ObjectMeta } from '../types.js';
import { arr, child, goStringSlice, immutable, index, invalidRaw, nonNegative, obj, str, strMap, type Obj } from './field.js';
import { isQualifiedName, isValidLabelValue, isDNS1123Label, type NameFn } from './names.js';

const TOTAL_ANNOTATION_SIZE = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const m = strMap(labels);
  if (!m) return [];
  const errs: FieldError[] = [];
  for (const k of Object.keys(m).sort()) {
    for (const msg of isQualifiedName(k)) errs.push(fieldErrors.invalid(path, k, msg));
    for (const msg of isValidLabelValue(m[k]!)) errs.push(fieldErrors.invalid(path, m[k], msg));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const m = strMap(annotations);
  if (!m) return [];
  const errs: FieldError[] = [];
  let size = 0;
  for (const k of Object.keys(m).sort()) {
    // Annotation keys are qualified names, compared case-insensitively.
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid(path, k, msg));
    size += Buffer.byteLength(k) + Buffer.byteLength(m[k]!);
  }
  if (size > TOTAL_ANNOTATION_SIZE) errs.push(fieldErrors.tooLong(path, TOTAL_ANNOTATION_SIZE));
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const r of arr(refs)) {
    const ref = obj(r) ?? {};
    const apiVersion = str(ref.apiVersion) ?? '';
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1]! : apiVersion;
    if (!version) errs.push(fieldErrors.invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!str(ref.kind)) errs.push(fieldErrors.invalid(child(path, 'kind'), str(ref.kind) ?? '', 'kind must not be empty'));
    if (!str(ref.name)) errs.push(fieldErrors.invalid(child(path, 'name'), str(ref.name) ?? '', 'name must not be empty'));
    if (!str(ref.uid)) errs.push(fieldErrors.invalid(child(path, 'uid'), str(ref.uid) ?? '', 'uid must not be empty'));
    if (ref.controller === true) {
      const name = `${str(ref.kind) ?? ''}/${str(ref.name) ?? ''}`;
      if (firstController) {
        errs.push(invalidRaw(path, '[]v1.OwnerReference{...}', `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`));
      } else firstController = name;
    }
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = arr(finalizers).map(String);
  list.forEach((f, i) => {
    for (const msg of isQualifiedName(f)) errs.push(fieldErrors.invalid(path, f, msg));
    // core adds: an unqualified finalizer must be one of the standard ones.
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(fieldErrors.invalid(index(path, i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalidRaw(path, goStringSlice(list), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** upstream ValidateObjectMeta: name/generateName, namespace presence, labels, annotations, owners, finalizers. */
export function validateObjectMeta(meta: ObjectMeta | undefined, namespaced: boolean, nameFn: NameFn, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) for (const msg of nameFn(m.generateName, true)) errs.push(fieldErrors.invalid(child(path, 'generateName'), m.generateName, msg));
  if (!m.name) errs.push(fieldErrors.required(child(path, 'name'), 'name or generateName is required'));
  else for (const msg of nameFn(m.name, false)) errs.push(fieldErrors.invalid(child(path, 'name'), m.name, msg));
  if (namespaced) {
    if (!m.namespace) errs.push(fieldErrors.required(child(path, 'namespace'), ''));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(fieldErrors.invalid(child(path, 'namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldErrors.forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...nonNegative(m.generation, child(path, 'generation')));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, child(path, 'finalizers')));
  return errs;
}

/** metav1.Time printed through time.Time.String(): `2024-01-02 03:04:05 +0000 UTC`. */
function goTime(v: unknown): string {
  if (typeof v !== 'string') return 'null';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return JSON.stringify(v);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** upstream ValidateObjectMetaUpdate: identity fields are immutable; no new finalizers while deleting. */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, path = 'metadata'): FieldError[] {
  const n = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const before = new Set(o.finalizers ?? []);
    const added = [...new Set(n.finalizers ?? [])].filter((f) => !before.has(f)).sort();
    if (added.length) errs.push(fieldErrors.forbidden(child(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}`));
  }
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(fieldErrors.invalid(child(path, 'generation'), n.generation ?? 0, 'must not be decremented'));
  errs.push(...immutable(n.name ?? '', o.name ?? '', child(path, 'name')));
  errs.push(...immutable(n.namespace ?? '', o.namespace ?? '', child(path, 'namespace')));
  errs.push(...immutable(n.uid ?? '', o.uid ?? '', child(path, 'uid')));
  errs.push(...immutable(n.creationTimestamp, o.creationTimestamp, child(path, 'creationTimestamp'), goTime));
  errs.push(...immutable(n.deletionTimestamp, o.deletionTimestamp, child(path, 'deletionTimestamp'), goTime));
  errs.push(...immutable(n.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, child(path, 'deletionGracePeriodSeconds')));
  errs.push(...validateLabels(n.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(n.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(n.finalizers, child(path, 'finalizers')));
  return errs;
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** upstream ValidateLabelSelector (strict: values must be valid label values). */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  const s = obj(selector);
  if (!s) return [];
  const errs: FieldError[] = [];
  arr(s.matchExpressions).forEach((e, i) => {
    const r = obj(e) ?? {};
    const p = index(child(path, 'matchExpressions'), i);
    const op = str(r.operator) ?? '';
    const values = arr(r.values);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) errs.push(fieldErrors.required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) errs.push(fieldErrors.forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(fieldErrors.invalid(child(p, 'operator'), op, 'not a valid selector operator'));
    }
    const k = str(r.key) ?? '';
    for (const msg of isQualifiedName(k)) errs.push(fieldErrors.invalid(child(p, 'key'), k, msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(String(v))) errs.push(fieldErrors.invalid(index(child(p, 'values'), j), v, msg));
    });
  });
  errs.push(...validateLabels(s.matchLabels, child(path, 'matchLabels')));
  return errs;
}

/** True when a LabelSelector has no requirements at all (it would select everything). */
export function selectorIsEmpty(selector: unknown): boolean {
  const s = obj(selector);
  return !s || (Object.keys(strMap(s.matchLabels) ?? {}).length === 0 && arr(s.matchExpressions).length === 0);
}

/** Evaluates a LabelSelector against a label set; an unparseable selector matches nothing. */
export function selectorMatches(selector: unknown, labels: Record<string, string> | undefined): boolean {
  const s = obj(selector);
  if (!s) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(strMap(s.matchLabels) ?? {})) if (l[k] !== v) return false;
  for (const e of arr(s.matchExpressions)) {
    const r: Obj = obj(e) ?? {};
    const k = str(r.key) ?? '';
    const values = arr(r.values).map(String);
    const has = Object.prototype.hasOwnProperty.call(l, k);
    switch (r.operator) {
      case 'In': if (!has || !values.includes(l[k]!)) return false; break;
      case 'NotIn': if (has && values.includes(l[k]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

export function selectorOperatorsValid(selector: unknown): boolean {
  return arr(obj(selector)?.matchExpressions).every((e) => SELECTOR_OPERATORS.includes(String(obj(e)?.operator)));
}

