// Pod update rules (upstream ValidatePodUpdate): a pod's spec is fixed once created, except images,
// activeDeadlineSeconds (set or shortened), added tolerations, removed scheduling gates, and a
// negative terminationGracePeriodSeconds corrected to 1.
import { fieldErrors, type FieldError } from '../errors.js';
import { clone, isPlainObject, type KObject } from '../types.js';
import { arr, deepEqual, goValue, inclusiveRange, num, obj, type Obj } from './field.js';
import { validateObjectMetaUpdate } from './meta.js';
import { validatePodSpec, validatePodStatus, validateTolerations } from './pod.js';

const MAX_INT32 = 2147483647;

export const UPDATABLE_POD_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validateOnlyAddedTolerations(next: unknown, prev: unknown): FieldError[] {
  const newTols = arr(next).map((t) => obj(t) ?? {});
  for (const old of arr(prev).map((t) => obj(t) ?? {})) {
    // tolerationSeconds of an existing toleration may change; everything else must match.
    const found = newTols.some((n) => deepEqual({ ...old, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found) return [fieldErrors.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, 'spec.tolerations');
}

function validateActiveDeadline(next: unknown, prev: unknown): FieldError[] {
  const path = 'spec.activeDeadlineSeconds';
  const n = num(next);
  if (n !== undefined) {
    if (n < 0 || n > MAX_INT32) return [fieldErrors.invalid(path, n, inclusiveRange(0, MAX_INT32))];
    const o = num(prev);
    if (o !== undefined && n > o) return [fieldErrors.invalid(path, n, 'must be less than or equal to previous value')];
    return [];
  }
  if (num(prev) !== undefined) return [fieldErrors.invalid(path, null, 'must not update from a positive integer to nil value')];
  return [];
}

/** A short, readable account of what differs (upstream prints a Go cmp.Diff here). */
function describeDiff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (deepEqual(a, b) || out.length >= 20) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) describeDiff(a[k], b[k], `${path}.${k}`, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => describeDiff(x, b[i], `${path}[${i}]`, out));
    return;
  }
  out.push(`  ${path}: ${goValue(a)} -> ${goValue(b)}`);
}

/** Copies the fields a pod update may change from new into a copy of old, leaving the rest as before. */
function mungeSpec(next: Obj, prev: Obj): Obj {
  const m = clone(next);
  for (const list of ['containers', 'initContainers']) {
    const nl = arr(m[list]);
    const ol = arr(prev[list]);
    if (nl.length !== ol.length) continue;
    nl.forEach((c, i) => {
      const nc = obj(c);
      const oc = obj(ol[i]);
      if (nc && oc) { if (oc.image === undefined) delete nc.image; else nc.image = oc.image; }
    });
  }
  const setOrDelete = (k: string, v: unknown): void => { if (v === undefined) delete m[k]; else m[k] = v; };
  setOrDelete('activeDeadlineSeconds', prev.activeDeadlineSeconds);
  setOrDelete('tolerations', prev.tolerations);
  setOrDelete('ephemeralContainers', prev.ephemeralContainers);
  const oldGrace = num(prev.terminationGracePeriodSeconds);
  if (oldGrace !== undefined && oldGrace < 0 && m.terminationGracePeriodSeconds === 1) m.terminationGracePeriodSeconds = oldGrace;
  // Scheduling gates may only be removed.
  const oldGates = arr(prev.schedulingGates);
  if (arr(m.schedulingGates).every((g) => oldGates.some((o) => deepEqual(o, g)))) setOrDelete('schedulingGates', prev.schedulingGates);
  return m;
}

export function validatePodUpdate(pod: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const next = obj(pod.spec) ?? {};
  const prev = obj(old.spec) ?? {};
  errs.push(...validatePodSpec(next, 'spec').filter((e) => !e.field.startsWith('spec.ephemeralContainers')));
  errs.push(...validateActiveDeadline(next.activeDeadlineSeconds, prev.activeDeadlineSeconds));
  errs.push(...validateOnlyAddedTolerations(next.tolerations, prev.tolerations));
  const newGates = arr(next.schedulingGates);
  const added = newGates.filter((g) => !arr(prev.schedulingGates).some((o) => deepEqual(o, g)));
  for (const g of added) errs.push(fieldErrors.forbidden('spec.schedulingGates', `only deletion is allowed, but found new scheduling gate '${String(obj(g)?.name ?? '')}'`));

  const munged = mungeSpec(next, prev);
  if (!deepEqual(munged, prev)) {
    const diff: string[] = [];
    describeDiff(prev, munged, 'spec', diff);
    errs.push(fieldErrors.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS.join(',')}\n${diff.join('\n')}`));
  }
  return errs;
}

/** Status writes: metadata rules and status ranges (the status strategy keeps the old spec). */
export function validatePodStatusUpdate(pod: KObject, old: KObject): FieldError[] {
  return [...validateObjectMetaUpdate(pod.metadata, old.metadata), ...validatePodStatus(pod.status)];
}
