// Checks a decoded request body against the schema the way upstream's decoding into Go structs
// does: unknown fields (for fieldValidation Strict/Warn, or pruned for Ignore) and values of the
// wrong JSON type (always a 400: `... cannot be handled as a Deployment: json: cannot unmarshal
// string into Go struct field DeploymentSpec.spec.replicas of type int32`). Also builds upstream's
// strict-decoding messages from these unknown fields and the duplicates of duplicate-fields.ts.
import type { Schema, StructDef } from './dsl.js';

/** A value the Go decoder would refuse. */
export interface TypeProblem {
  /** Where the value is, as strict messages print paths: `spec.template.spec.containers[0].ports[0].containerPort`. */
  path: string;
  /** What upstream's decoder says, e.g. `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`. */
  message: string;
}

export interface StructureResult {
  /** Paths of fields the schema does not know, in document order, without a leading dot (`spec.foo`). */
  unknown: string[];
  /** Type problems in document order; upstream reports the first. */
  errors: TypeProblem[];
}

type Resolve = (name: string) => StructDef;

const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_SUFFIX = /^(|[numkMGTPE]|[KMGTPE]i|[eE][-+]?[0-9]+)$/;
/** Whether `v` is an integer the Go type holds (2^63 itself is the first double past int64). */
function fitsInteger(v: number, format: 'int32' | 'int64'): boolean {
  if (!Number.isInteger(v)) return false;
  return format === 'int32' ? v >= -2147483648 && v <= 2147483647 : v >= -(2 ** 63) && v < 2 ** 63;
}
const RFC3339 = '2006-01-02T15:04:05Z07:00';

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON kind as Go names it in `cannot unmarshal X`; numbers that do not fit carry their text. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** `io.k8s.api.apps.v1.DeploymentSpec` → `DeploymentSpec` (Go type name) and `v1.DeploymentSpec` (qualified). */
function shortName(def: string): string {
  return def.slice(def.lastIndexOf('.') + 1);
}
function qualifiedName(def: string): string {
  const parts = def.split('.');
  return parts.length > 1 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : def;
}

/** The Go type upstream decodes a schema into, as error messages print it. */
export function goType(s: Schema): string {
  switch (s.type) {
    case 'string': return s.format === 'byte' ? '[]uint8' : 'string';
    case 'integer': return s.format;
    case 'number': return 'float64';
    case 'boolean': return 'bool';
    case 'ref': return qualifiedName(s.ref);
    case 'map': return `map[string]${goType(s.values)}`;
    case 'array': return `[]${goType(s.items)}`;
    case 'int-or-string': return 'intstr.IntOrString';
    case 'quantity': return 'resource.Quantity';
    case 'time': return s.micro ? 'v1.MicroTime' : 'v1.Time';
    case 'any': return 'runtime.RawExtension';
  }
}

/** Upstream's quantity parse errors, or undefined for a valid quantity. */
export function quantityProblem(v: unknown): string | undefined {
  let s: string;
  if (typeof v === 'string') s = v.trim();
  else if (typeof v === 'number') s = String(v);
  else return QUANTITY_FORMAT;
  const m = QUANTITY_RE.exec(s);
  if (!m) return QUANTITY_FORMAT;
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(m[1]!)) return 'unable to parse numeric part of quantity';
  if (!QUANTITY_SUFFIX.test(m[2]!)) return "unable to parse quantity's suffix";
  return undefined;
}

/** A well-formed RFC 3339 timestamp (what nearly every request carries): checked in one match. */
const RFC3339_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})$/;

/** Go's time.Parse(RFC3339) errors, or undefined for a valid timestamp. */
export function timeProblem(s: string): string | undefined {
  const ok = RFC3339_RE.exec(s);
  if (ok) return timeRangeProblem(s, Number(ok[1]), Number(ok[2]), Number(ok[3]), Number(ok[4]), Number(ok[5]), Number(ok[6]));
  // Otherwise element by element, to name the first one that does not parse, as Go does.
  const steps: [RegExp, string][] = [
    [/^[0-9]{4}/, '2006'], [/^-/, '-'], [/^[0-9]{2}/, '01'], [/^-/, '-'], [/^[0-9]{2}/, '02'], [/^T/, 'T'],
    [/^[0-9]{2}/, '15'], [/^:/, ':'], [/^[0-9]{2}/, '04'], [/^:/, ':'], [/^[0-9]{2}(\.[0-9]+)?/, '05'], [/^(Z|[+-][0-9]{2}:[0-9]{2})/, 'Z07:00'],
  ];
  let rest = s;
  const parts: string[] = [];
  for (const [re, elem] of steps) {
    const m = re.exec(rest);
    if (!m) return `parsing time ${JSON.stringify(s)} as ${JSON.stringify(RFC3339)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`;
    parts.push(m[0]);
    rest = rest.slice(m[0].length);
  }
  if (rest) return `parsing time ${JSON.stringify(s)}: extra text: ${JSON.stringify(rest)}`;
  const [year, , month, , day, , hour, , minute, , second] = parts.map((p) => Number.parseFloat(p));
  return timeRangeProblem(s, year!, month!, day!, hour!, minute!, second!);
}

function timeRangeProblem(s: string, year: number, month: number, day: number, hour: number, minute: number, second: number): string | undefined {
  const range = (what: string) => `parsing time ${JSON.stringify(s)}: ${what} out of range`;
  if (month < 1 || month > 12) return range('month');
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return range('day');
  if (hour > 23) return range('hour');
  if (minute > 59) return range('minute');
  if (second >= 60) return range('second');
  return undefined;
}

/** Go's base64.StdEncoding errors for a []byte field, or undefined when `s` decodes. */
export function base64Problem(s: string): string | undefined {
  const clean = s.replace(/[\r\n]/g, '');
  const bad = /[^A-Za-z0-9+/=]/.exec(clean);
  const pad = clean.indexOf('=');
  if (bad && (pad < 0 || bad.index < pad)) return `illegal base64 data at input byte ${bad.index}`;
  if (pad >= 0 && (!/^={1,2}$/.test(clean.slice(pad)) || clean.length % 4 !== 0)) return `illegal base64 data at input byte ${pad}`;
  if (clean.length % 4 !== 0) return `illegal base64 data at input byte ${clean.length - (clean.length % 4)}`;
  return undefined;
}

/** Where the walk is: the display path and Go's view of it (innermost struct, dotted field names). */
interface Where {
  path: string;
  goStruct: string;
  goField: string;
}

class Walker {
  readonly unknown: string[] = [];
  readonly errors: TypeProblem[] = [];
  constructor(private readonly resolve: Resolve, private readonly prune: boolean) {}

  typeError(w: Where, value: string, type: string): void {
    const into = w.goStruct ? `Go struct field ${w.goStruct}.${w.goField}` : 'Go value';
    this.errors.push({ path: w.path, message: `json: cannot unmarshal ${value} into ${into} of type ${type}` });
  }

  walk(v: unknown, s: Schema, w: Where): void {
    if (v === null || v === undefined) return; // null decodes to the zero value: treated as absent
    switch (s.type) {
      case 'ref': {
        if (!isObject(v)) return this.typeError(w, jsonKind(v), goType(s));
        const def = this.resolve(s.ref);
        const goStruct = shortName(def.name);
        for (const k of Object.keys(v)) {
          const path = w.path ? `${w.path}.${k}` : k;
          if (!hasOwn(def.fields, k)) {
            this.unknown.push(path);
            if (this.prune) delete v[k];
            continue;
          }
          this.walk(v[k], def.fields[k]!.schema, { path, goStruct, goField: w.goField ? `${w.goField}.${k}` : k });
        }
        return;
      }
      case 'map':
        if (!isObject(v)) return this.typeError(w, jsonKind(v), goType(s));
        for (const k of Object.keys(v)) this.walk(v[k], s.values, { ...w, path: w.path ? `${w.path}.${k}` : k });
        return;
      case 'array':
        if (!Array.isArray(v)) return this.typeError(w, jsonKind(v), goType(s));
        for (let i = 0; i < v.length; i++) this.walk(v[i], s.items, { ...w, path: `${w.path}[${i}]` });
        return;
      case 'string':
        if (typeof v !== 'string') return this.typeError(w, jsonKind(v), goType(s));
        if (s.format === 'byte') {
          const p = base64Problem(v);
          if (p) this.errors.push({ path: w.path, message: p });
        }
        return;
      case 'integer':
        if (typeof v !== 'number') return this.typeError(w, jsonKind(v), s.format);
        if (!fitsInteger(v, s.format)) this.typeError(w, `number ${String(v)}`, s.format);
        return;
      case 'number':
        if (typeof v !== 'number') this.typeError(w, jsonKind(v), 'float64');
        return;
      case 'boolean':
        if (typeof v !== 'boolean') this.typeError(w, jsonKind(v), 'bool');
        return;
      case 'int-or-string':
        // IntOrString decodes a non-string as int32.
        if (typeof v === 'string') return;
        if (typeof v !== 'number') return this.typeError(w, jsonKind(v), 'int32');
        if (!fitsInteger(v, 'int32')) this.typeError(w, `number ${String(v)}`, 'int32');
        return;
      case 'quantity': {
        // Quantity's own decoder error carries no field context upstream.
        const p = quantityProblem(v);
        if (p) this.errors.push({ path: w.path, message: p });
        return;
      }
      case 'time': {
        if (typeof v !== 'string') return this.typeError(w, jsonKind(v), 'string');
        const p = timeProblem(v);
        if (p) this.errors.push({ path: w.path, message: p });
        return;
      }
      case 'any':
        return;
    }
  }
}

/**
 * Walks `obj` against struct `structName`. Reports unknown fields and type problems; with
 * `prune: true` unknown fields are also deleted from `obj` in place (fieldValidation=Ignore).
 */
export function checkStructure(obj: unknown, structName: string, resolve: Resolve, opts: { prune?: boolean } = {}): StructureResult {
  const w = new Walker(resolve, opts.prune ?? false);
  w.walk(obj, { type: 'ref', ref: structName }, { path: '', goStruct: '', goField: '' });
  return { unknown: w.unknown, errors: w.errors };
}

/** `Deployment in version "v1" cannot be handled as a Deployment: <problem>` (the 400 BadRequest message). */
export function typeErrorMessage(kind: string, version: string, problem: TypeProblem | string): string {
  return `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${typeof problem === 'string' ? problem : problem.message}`;
}

/** `spec.template.spec.containers[0].name` → ['spec', 'template', 'spec', 'containers', 0, 'name']. */
function tokens(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[([0-9]+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** Negative when path `a` comes before `b` in `doc` (keys in object order, items by index); 0 if unknown. */
function documentOrder(a: string, b: string, doc: unknown): number {
  const ta = tokens(a);
  const tb = tokens(b);
  let cur = doc;
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x !== y) {
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      if (isObject(cur)) {
        const keys = Object.keys(cur);
        const ix = keys.indexOf(String(x));
        const iy = keys.indexOf(String(y));
        if (ix >= 0 && iy >= 0) return ix - iy;
      }
      return 0;
    }
    cur = isObject(cur) || Array.isArray(cur) ? (cur as Record<string, unknown>)[x as string] : undefined;
  }
  return ta.length - tb.length; // an ancestor comes first
}

/**
 * The strict-decoding problems as upstream lists them (each is one Warning header in Warn mode):
 * `unknown field "spec.foo"`, `duplicate field "spec.replicas"`, in document order. A duplicate of
 * an unknown field, or inside one, is reported only as unknown, as upstream does for built-in types.
 * Pass the decoded `doc` to interleave the two lists by document order; without it unknowns come first.
 */
export function strictDecodingProblems(unknown: readonly string[], duplicates: readonly string[], doc?: unknown): string[] {
  const dups = duplicates.filter((d) => !unknown.some((u) => d === u || d.startsWith(`${u}.`) || d.startsWith(`${u}[`)));
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < unknown.length || j < dups.length) {
    const takeUnknown = j >= dups.length || (i < unknown.length && (doc === undefined || documentOrder(unknown[i]!, dups[j]!, doc) <= 0));
    out.push(takeUnknown ? `unknown field "${unknown[i++]}"` : `duplicate field "${dups[j++]}"`);
  }
  return out;
}

/** `strict decoding error: unknown field "spec.foo", duplicate field "spec.replicas"` (400 in Strict mode). */
export function strictDecodingMessage(unknown: readonly string[], duplicates: readonly string[], doc?: unknown): string {
  return `strict decoding error: ${strictDecodingProblems(unknown, duplicates, doc).join(', ')}`;
}
