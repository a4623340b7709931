// Shared plumbing for validation: reading untyped JSON safely, building field paths, and
// rendering values the way upstream's Go field errors print them (%q strings, %#v maps/structs).
import { fieldErrors, type FieldError } from '../errors.js';
import { isPlainObject } from '../types.js';

export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const strMap = (v: unknown): Record<string, string> | undefined => {
  const o = obj(v);
  if (!o) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) out[k] = typeof val === 'string' ? val : String(val);
  return out;
};

/** `spec` + `replicas` → `spec.replicas`. */
export const child = (path: string, name: string): string => (path ? `${path}.${name}` : name);
/** `spec.containers` + 0 → `spec.containers[0]`. */
export const index = (path: string, i: number): string => `${path}[${i}]`;
/** `data` + `a.b` → `data[a.b]` (upstream's Path.Key: no quoting). */
export const key = (path: string, k: string): string => `${path}[${k}]`;

/** An Invalid error whose bad value is already rendered (Go %#v / Stringer forms). */
export function invalidRaw(field: string, rendered: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: `${field}: Invalid value: ${rendered}${detail ? ': ' + detail : ''}` };
}

/**
 * Upstream's field.NotFound. errors.ts has no factory for it yet and its FieldError type union lacks
 * 'FieldValueNotFound'; the cast keeps the wire value faithful until the lead adds it there.
 */
export function notFound(field: string, value: unknown): FieldError {
  const type = 'FieldValueNotFound' as unknown as FieldError['type'];
  return { type, field, message: `${field}: Not found: ${goValue(value)}` };
}

/** Renders a JSON value as Go's %v/%q would for the simple types upstream passes as bad values. */
export function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return goStringSlice(v as string[]);
  if (isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string')) return goStringMap(v as Record<string, string>);
  return JSON.stringify(v);
}

/** Go's %#v of map[string]string: keys sorted, `map[string]string{"a":"b", "c":"d"}`; nil prints `(nil)`. */
export function goStringMap(m: Record<string, string> | undefined): string {
  if (!m) return 'map[string]string(nil)';
  const body = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`)
    .join(', ');
  return `map[string]string{${body}}`;
}

/** Go's %#v of []string. */
export function goStringSlice(a: readonly string[] | undefined): string {
  if (!a) return '[]string(nil)';
  return `[]string{${a.map((s) => JSON.stringify(s)).join(', ')}}`;
}

/** Go's %#v of a metav1.LabelSelector, as printed in `spec.selector: Invalid value: ...: field is immutable`. */
export function goLabelSelector(sel: unknown): string {
  const s = obj(sel);
  if (!s) return 'null';
  const ml = strMap(s.matchLabels);
  const exprs = Array.isArray(s.matchExpressions) ? s.matchExpressions : undefined;
  const exprText = exprs
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e) => {
          const r = obj(e) ?? {};
          const vals = Array.isArray(r.values) ? goStringSlice(r.values.map(String)) : '[]string(nil)';
          return `v1.LabelSelectorRequirement{Key:${JSON.stringify(str(r.key) ?? '')}, Operator:${JSON.stringify(str(r.operator) ?? '')}, Values:${vals}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(ml)}, MatchExpressions:${exprText}}`;
}

/** intstr.IntOrString printed through its String() method: `25%`, `1` (unquoted). */
export function intOrStringText(v: unknown): string {
  return typeof v === 'number' ? String(v) : String(v ?? '');
}

/** upstream ValidateNonnegativeField. */
export function nonNegative(value: unknown, field: string): FieldError[] {
  const n = num(value);
  if (n !== undefined && n < 0) return [fieldErrors.invalid(field, n, 'must be greater than or equal to 0')];
  return [];
}

/** upstream ValidatePositiveField ("must be greater than 0"). */
export function positive(value: unknown, field: string): FieldError[] {
  const n = num(value);
  if (n !== undefined && n <= 0) return [fieldErrors.invalid(field, n, 'must be greater than 0')];
  return [];
}

/** `must be between 1 and 65535, inclusive` (validation.InclusiveRangeError). */
export const inclusiveRange = (lo: number, hi: number): string => `must be between ${lo} and ${hi}, inclusive`;

/** Validates an enum-like string: Required when empty, NotSupported when unknown. */
export function oneOf(value: unknown, field: string, supported: readonly string[], required = true): FieldError[] {
  if (value === undefined || value === null || value === '') return required ? [fieldErrors.required(field, '')] : [];
  if (typeof value !== 'string' || !supported.includes(value)) return [fieldErrors.notSupported(field, value, [...supported])];
  return [];
}

/** Deep structural equality of JSON values (upstream's apiequality.Semantic.DeepEqual, minus quantities). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** upstream ValidateImmutableField: `field: Invalid value: <new>: field is immutable`. */
export function immutable(newValue: unknown, oldValue: unknown, field: string, render: (v: unknown) => string = goValue): FieldError[] {
  if (deepEqual(newValue, oldValue)) return [];
  return [invalidRaw(field, render(newValue), 'field is immutable')];
}
