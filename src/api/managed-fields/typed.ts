// Schema-driven walks over objects for server-side apply, following structured-merge-diff:
// structs and maps are granular (one path per field), lists are atomic, sets (`v:`) or maps keyed
// by their map-keys (`k:`). Objects without a schema (custom resources) are granular maps with
// atomic lists. Every walk visits each value once, so the cost is linear in the object's size.
import type { Schema, StructDef } from '../schema/dsl.js';
import { schemas } from '../schema/index.js';
import { FieldSet } from './field-set.js';
import { openAPIAtomic, openAPIStructs } from './openapi-types.js';

export type TypeNode = Schema | StructDef;

const ANY: Schema = { type: 'any' };

/** Structs upstream marks `+structType=atomic`: owned and replaced as one value. */
const ATOMIC_STRUCTS = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  'io.k8s.api.core.v1.ObjectReference',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.TypedLocalObjectReference',
  'io.k8s.api.core.v1.NodeSelector',
  'io.k8s.api.core.v1.NodeSelectorTerm',
  'io.k8s.api.core.v1.ConfigMapKeySelector',
  'io.k8s.api.core.v1.SecretKeySelector',
  'io.k8s.api.core.v1.ObjectFieldSelector',
  'io.k8s.api.core.v1.ResourceFieldSelector',
  'io.k8s.api.core.v1.ConfigMapEnvSource',
  'io.k8s.api.core.v1.SecretEnvSource',
]);

/** The type node for a definition name; unknown names (custom resources) are untyped. */
export function typeOf(name: string): TypeNode {
  return schemas.get(name) ?? openAPIStructs.get(name) ?? ANY;
}

function resolve(t: TypeNode): TypeNode {
  if ('type' in t && t.type === 'ref') return schemas.get(t.ref) ?? openAPIStructs.get(t.ref) ?? ANY;
  return t;
}

function isStruct(t: TypeNode): t is StructDef {
  return 'fields' in t;
}

type Obj = Record<string, unknown>;
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a value of type `t` is tracked. */
type Shape = { kind: 'fields'; child: (k: string) => TypeNode; isMap: boolean } | { kind: 'list'; items: TypeNode; listType: 'atomic' | 'set' | 'map'; keys: readonly string[] } | { kind: 'leaf' };

function shapeOf(t0: TypeNode, v: unknown): Shape {
  const t = resolve(t0);
  if (isStruct(t)) {
    if (ATOMIC_STRUCTS.has(t.name) || openAPIAtomic.has(t.name)) return { kind: 'leaf' };
    return { kind: 'fields', child: (k) => t.fields[k]?.schema ?? ANY, isMap: false };
  }
  switch (t.type) {
    case 'map': return { kind: 'fields', child: () => t.values, isMap: true };
    case 'array': return { kind: 'list', items: t.items, listType: t.listType ?? 'atomic', keys: t.mapKeys ?? [] };
    case 'any': return isObj(v) ? { kind: 'fields', child: () => ANY, isMap: true } : { kind: 'leaf' };
    default: return { kind: 'leaf' };
  }
}

/**
 * Defaults of map-key fields, used when an item omits them (as upstream's schemas declare them), so
 * that an applied port without `protocol` matches the stored, defaulted one.
 */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** The path element of a list item, or undefined when it cannot be keyed. */
function itemKey(shape: Shape & { kind: 'list' }, item: unknown, index: number): string {
  if (shape.listType === 'set') return `v:${JSON.stringify(item)}`;
  if (shape.listType === 'map' && isObj(item)) {
    const keys: Obj = {};
    for (const k of [...shape.keys].sort()) {
      const v = item[k] ?? KEY_DEFAULTS[k];
      if (v !== undefined) keys[k] = v;
    }
    return `k:${JSON.stringify(keys)}`;
  }
  return `i:${index}`;
}

function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObj(v) && Object.keys(v).length === 0;
}

/** The fields a value sets (upstream's ToFieldSet): leaves and list items are members. */
export function toFieldSet(v: unknown, t: TypeNode): FieldSet {
  const root = new FieldSet();
  collect(v, t, root);
  return root;
}

function collect(v: unknown, t: TypeNode, node: FieldSet): void {
  const shape = shapeOf(t, v);
  if (shape.kind === 'fields' && isObj(v)) {
    for (const k in v) {
      const c = v[k];
      if (c === undefined) continue;
      const child = node.child(`f:${k}`);
      if (isEmptyValue(c)) child.member = true;
      else collectValue(c, shape.child(k), child);
    }
  } else if (shape.kind === 'list' && Array.isArray(v) && shape.listType !== 'atomic') {
    v.forEach((item, i) => {
      const child = node.child(itemKey(shape, item, i));
      child.member = true;
      if (shape.listType === 'map' && isObj(item)) collect(item, shape.items, child);
    });
  }
}

function collectValue(v: unknown, t: TypeNode, node: FieldSet): void {
  const shape = shapeOf(t, v);
  if ((shape.kind === 'fields' && isObj(v)) || (shape.kind === 'list' && shape.listType !== 'atomic' && Array.isArray(v))) collect(v, t, node);
  else node.member = true;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `lhs` to `rhs` (upstream's Compare), as sets of paths. */
export function compare(lhs: unknown, rhs: unknown, t: TypeNode): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  cmpFields(lhs, rhs, t, [], c);
  return c;
}

function cmpValue(l: unknown, r: unknown, t: TypeNode, path: string[], c: Comparison): void {
  if (l === undefined && r === undefined) return;
  const shape = shapeOf(t, r ?? l);
  const granular = (shape.kind === 'fields' && (l === undefined || isObj(l)) && (r === undefined || isObj(r))) ||
    (shape.kind === 'list' && shape.listType !== 'atomic' && (l === undefined || Array.isArray(l)) && (r === undefined || Array.isArray(r)));
  if (!granular || (isEmptyValue(l) && isEmptyValue(r))) {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!deepEqual(l, r)) c.modified.insert(path);
    return;
  }
  // A map that appears or disappears is itself a member (`.` in fieldsV1), as upstream records.
  if (shape.kind === 'fields' && shape.isMap) {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
  }
  cmpFields(l, r, t, path, c);
}

function cmpFields(l: unknown, r: unknown, t: TypeNode, path: string[], c: Comparison): void {
  const shape = shapeOf(t, r ?? l);
  if (shape.kind === 'fields') {
    const lo = isObj(l) ? l : undefined;
    const ro = isObj(r) ? r : undefined;
    if (ro) for (const k in ro) if (ro[k] !== undefined) cmpValue(lo?.[k], ro[k], shape.child(k), [...path, `f:${k}`], c);
    if (lo) for (const k in lo) if (lo[k] !== undefined && (!ro || ro[k] === undefined)) cmpValue(lo[k], undefined, shape.child(k), [...path, `f:${k}`], c);
  } else if (shape.kind === 'list') {
    const la = Array.isArray(l) ? l : [];
    const ra = Array.isArray(r) ? r : [];
    const left = new Map<string, unknown>();
    la.forEach((item, i) => left.set(itemKey(shape, item, i), item));
    const seen = new Set<string>();
    ra.forEach((item, i) => {
      const k = itemKey(shape, item, i);
      seen.add(k);
      const li = left.get(k);
      const p = [...path, k];
      if (li === undefined) c.added.insert(p);
      if (shape.listType === 'map') cmpFields(li, item, shape.items, p, c);
      else if (li !== undefined && !deepEqual(li, item)) c.modified.insert(p);
    });
    for (const [k, li] of left) {
      if (seen.has(k)) continue;
      c.removed.insert([...path, k]);
      if (shape.listType === 'map') cmpFields(li, undefined, shape.items, [...path, k], c);
    }
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Obj;
  const bo = b as Obj;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** Merges an applied configuration into the live value (upstream's Merge): config wins per field. */
export function merge(live: unknown, config: unknown, t: TypeNode): unknown {
  if (config === undefined) return live;
  const shape = shapeOf(t, config);
  if (shape.kind === 'fields' && isObj(config) && isObj(live)) {
    const out: Obj = { ...live };
    for (const k in config) {
      const c = config[k];
      if (c === undefined) continue;
      if (c === null) { delete out[k]; continue; }
      out[k] = merge(live[k], c, shape.child(k));
    }
    return out;
  }
  if (shape.kind === 'list' && shape.listType !== 'atomic' && Array.isArray(config) && Array.isArray(live)) {
    const out = [...live];
    const index = new Map<string, number>();
    out.forEach((item, i) => index.set(itemKey(shape, item, i), i));
    config.forEach((item, i) => {
      const k = itemKey(shape, item, i);
      const at = index.get(k);
      if (at === undefined) { index.set(k, out.length); out.push(item); }
      else if (shape.listType === 'map') out[at] = merge(out[at], item, shape.items);
    });
    return out;
  }
  return config;
}

/** Removes the members of `set` from `v` in place (upstream's RemoveItems). */
export function removeItems(v: unknown, set: FieldSet, t: TypeNode): void {
  if (!set.children) return;
  const shape = shapeOf(t, v);
  if (shape.kind === 'fields' && isObj(v)) {
    for (const [k, n] of set.children) {
      if (!k.startsWith('f:')) continue;
      const name = k.slice(2);
      if (n.member) delete v[name];
      else if (v[name] !== undefined) removeItems(v[name], n, shape.child(name));
    }
  } else if (shape.kind === 'list' && Array.isArray(v)) {
    for (let i = v.length - 1; i >= 0; i--) {
      const n = set.get(itemKey(shape, v[i], i));
      if (!n) continue;
      if (n.member) v.splice(i, 1);
      else removeItems(v[i], n, shape.items);
    }
  }
}
