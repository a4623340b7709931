// Strategic merge patch (application/strategic-merge-patch+json), as upstream apimachinery's
// strategicpatch applies it on the server (StrategicMergeMapPatch: parallel delete lists merged,
// unmatched nulls ignored). The schema drives it: lists with patchStrategy merge are merged by
// patchMergeKey (maps) or as sets (scalars); other lists are replaced; maps merge recursively, null
// deletes. Where the schema says nothing (unknown fields, `any`), maps merge and lists are replaced.
// Directives: $patch (replace/delete in maps; replace/delete items in lists), $retainKeys,
// $setElementOrder/<list>, $deleteFromPrimitiveList/<list>. See docs/patch.md.
//
// The document is copied once and merged in place; the patch is only read, and values taken from it
// are copied through stripDirectives.
import type { ArraySchema, FieldDef, Schema, StructDef } from '../schema/dsl.js';
import { StatusError, badRequest, internal } from '../errors.js';
import { cloneJson, goFormat, hasOwn, isObject, jsonKind, setKey } from './json-value.js';
import {
  DELETE_FROM_PRIMITIVE_LIST_PREFIX, DROP, PATCH_DIRECTIVE, RETAIN_KEYS_DIRECTIVE, SET_ELEMENT_ORDER_PREFIX,
  applyRetainKeys, directiveTarget, smpError, stripDirectives, stripMembers,
} from './strategic-directives.js';
import { normalizeElementOrder, partition, validateSetElementOrder } from './strategic-order.js';

type Obj = Record<string, unknown>;
type Resolve = (name: string) => StructDef;

/** What the schema knows about the members of a map value. */
type Shape = { struct: StructDef } | { values: Schema } | undefined;

/** How a list field merges. */
interface ListMeta {
  merge: boolean;
  mergeKey: string;
  items: Shape;
}

class Merger {
  constructor(private readonly resolve: Resolve) {}

  shapeOf(s: Schema | undefined): Shape {
    if (!s) return undefined;
    if (s.type === 'ref') return { struct: this.resolve(s.ref) };
    if (s.type === 'map') return { values: s.values };
    return undefined;
  }

  field(shape: Shape, key: string): FieldDef | undefined {
    if (!shape) return undefined;
    if ('values' in shape) return { schema: shape.values };
    return hasOwn(shape.struct.fields, key) ? shape.struct.fields[key] : undefined;
  }

  listMeta(shape: Shape, key: string): ListMeta {
    const s = this.field(shape, key)?.schema;
    if (!s || s.type !== 'array') return { merge: false, mergeKey: '', items: undefined };
    const a: ArraySchema = s;
    return { merge: a.patchStrategy?.startsWith('merge') ?? false, mergeKey: a.patchMergeKey ?? '', items: this.shapeOf(a.items) };
  }

  /** Merges `patch` into `original` (a private copy, changed in place) and returns the result. */
  mergeMap(original: Obj | undefined, patch: Obj, shape: Shape): Obj {
    if (hasOwn(patch, PATCH_DIRECTIVE)) {
      const d = patch[PATCH_DIRECTIVE];
      if (d === 'replace') return stripMembers(patch);
      if (d === 'delete') return {};
      throw smpError.badPatchType(d, patch);
    }
    const out = original ?? {};
    if (hasOwn(patch, RETAIN_KEYS_DIRECTIVE)) applyRetainKeys(out, patch);

    // Lists named by $setElementOrder are merged and ordered first; their keys are then skipped.
    let ordered: Set<string> | undefined;
    for (const k of Object.keys(patch)) {
      if (!k.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
      const target = this.mergeOrderedList(out, patch, k, shape);
      if (target !== undefined) (ordered ??= new Set()).add(target);
    }

    for (const k of Object.keys(patch)) {
      if (k === RETAIN_KEYS_DIRECTIVE || k.startsWith(SET_ELEMENT_ORDER_PREFIX) || ordered?.has(k)) continue;
      let key = k;
      let isDeleteList = false;
      if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
        key = directiveTarget(k, DELETE_FROM_PRIMITIVE_LIST_PREFIX);
        isDeleteList = true;
      }
      const pv = patch[k];
      if (pv === null) {
        delete out[key];
        continue;
      }
      const ov = hasOwn(out, key) ? out[key] : undefined;
      if (ov === undefined || ov === null || kindOf(ov) !== kindOf(pv)) {
        if (isDeleteList) continue;
        const v = stripDirectives(pv);
        if (v === DROP) delete out[key];
        else setKey(out, key, v);
        continue;
      }
      if (isObject(ov)) {
        const f = this.field(shape, key);
        setKey(out, key, f?.patchStrategy === 'replace' ? stripMembers(pv as Obj) : this.mergeMap(ov, pv as Obj, this.shapeOf(f?.schema)));
      } else if (Array.isArray(ov)) {
        const meta = this.listMeta(shape, key);
        setKey(out, key, meta.merge ? this.mergeList(ov, pv as unknown[], meta, isDeleteList) : (stripDirectives(pv) as unknown[]));
      } else {
        setKey(out, key, pv);
      }
    }
    return out;
  }

  /**
   * Handles `$setElementOrder/<list>`: merges the list with the patch's list (if any) and orders the
   * result by the directive. Returns the list key it consumed from the patch, if any.
   */
  mergeOrderedList(out: Obj, patch: Obj, directiveKey: string, shape: Shape): string | undefined {
    const order = patch[directiveKey];
    if (!Array.isArray(order)) throw smpError.badArgType('list', order);
    const key = directiveTarget(directiveKey, SET_ELEMENT_ORDER_PREFIX);
    const foundOriginal = hasOwn(out, key);
    const foundPatch = hasOwn(patch, key);
    const original = foundOriginal ? out[key] : undefined;
    const patchList = foundPatch ? patch[key] : undefined;
    if (foundOriginal && !Array.isArray(original)) throw smpError.badArgType('list', original);
    if (foundPatch && !Array.isArray(patchList)) throw smpError.badArgType('list', patchList);
    const orig = (original ?? []) as unknown[];
    const pl = (patchList ?? []) as unknown[];
    const meta = this.listMeta(shape, key);
    const elemKind = sliceKind(orig, pl, true);
    const mergeKey = elemKind === 'object' ? meta.mergeKey : '';
    validateSetElementOrder(pl, order, mergeKey);
    if (!foundOriginal && !foundPatch) return undefined;

    let merged: unknown[];
    if (!foundPatch) merged = orig;
    else if (!foundOriginal) merged = stripDirectives(pl) as unknown[];
    else if (meta.merge) merged = this.mergeList(orig, pl, meta, false);
    else merged = stripDirectives(pl) as unknown[];
    // Replaced lists keep the patch's order; upstream cannot reorder lists of maps without a key.
    if (meta.merge && elemKind !== undefined) {
      const [inOrder, serverOnly] = partition(merged, order, mergeKey);
      merged = normalizeElementOrder(inOrder, serverOnly, order, orig, mergeKey);
    }
    setKey(out, key, merged);
    return key;
  }

  /** Merges a patch list into a live list whose schema says patchStrategy merge. */
  mergeList(original: unknown[], patch: unknown[], meta: ListMeta, isDeleteList: boolean): unknown[] {
    if (original.length === 0 && patch.length === 0) return original;
    const kind = sliceKind(original, patch, false);
    if (kind !== 'object') {
      if (isDeleteList) {
        const drop = new Set(patch);
        return original.filter((v) => !drop.has(v));
      }
      const merged = [...new Set([...original, ...patch])];
      const [inPatch, serverOnly] = partition(merged, patch, '');
      return normalizeElementOrder(inPatch, serverOnly, patch, original, '');
    }
    const mergeKey = meta.mergeKey;
    if (!mergeKey) throw badRequest('cannot merge lists without merge key for type struct');

    // Directive items first: deletions by merge key, or a replace of the whole list.
    let live = original;
    const items: Obj[] = [];
    let replace = false;
    for (const v of patch as Obj[]) {
      if (!hasOwn(v, PATCH_DIRECTIVE)) {
        items.push(v);
        continue;
      }
      const d = v[PATCH_DIRECTIVE];
      if (d === 'delete') {
        if (!hasOwn(v, mergeKey)) throw smpError.noMergeKey(v, mergeKey);
        const id = v[mergeKey];
        live = live.filter((x) => !(hasOwn(x as Obj, mergeKey) && (x as Obj)[mergeKey] === id));
      } else if (d === 'replace') {
        replace = true;
      } else if (d === 'merge') {
        throw badRequest('merging lists cannot yet be specified in the patch');
      } else {
        throw smpError.badPatchType(d, v);
      }
    }
    if (replace) return items.map((v) => stripMembers(v));

    const merged = live.slice();
    const index = new Map<unknown, number>();
    merged.forEach((x, i) => {
      const id = (x as Obj)[mergeKey];
      if (hasOwn(x as Obj, mergeKey) && !index.has(id)) index.set(id, i);
    });
    for (const v of items) {
      if (!hasOwn(v, mergeKey)) throw smpError.noMergeKey(v, mergeKey);
      const at = index.get(v[mergeKey]);
      if (at !== undefined) {
        merged[at] = this.mergeMap(merged[at] as Obj, v, meta.items);
      } else {
        index.set(v[mergeKey], merged.length);
        merged.push(stripMembers(v));
      }
    }
    const [inPatch, serverOnly] = partition(merged, items, mergeKey);
    return normalizeElementOrder(inPatch, serverOnly, items, live, mergeKey);
  }
}

type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
function kindOf(v: unknown): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as Kind;
}

/** The common kind of the items of both lists; lists of lists and mixed lists are refused as upstream. */
function sliceKind(a: readonly unknown[], b: readonly unknown[], allowEmpty: boolean): Kind | undefined {
  let kind: Kind | undefined;
  for (const list of [a, b]) {
    for (const v of list) {
      const k = kindOf(v);
      if (kind === undefined) {
        if (k === 'array') throw smpError.noListOfLists();
        kind = k;
      } else if (k !== kind) {
        throw badRequest(`list element types are not identical: ${goFormat([a, b])}`);
      }
    }
  }
  if (kind === 'null') throw badRequest(`list element types are not identical: ${goFormat([a, b])}`);
  if (kind === undefined && !allowEmpty) throw badRequest('no elements in any of the given slices');
  return kind;
}

/**
 * Applies a decoded strategic merge patch to `doc`, a `structName` object, and returns the result;
 * neither input is changed. `resolve` maps definition names to structs (schema `structOf`).
 * Throws StatusError (400 BadRequest for malformed patches, 422 where upstream answers 422).
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, structName: string, resolve: Resolve): unknown {
  if (patch === null) return cloneJson(doc);
  if (!isObject(patch)) throw badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  if (!isObject(doc)) throw smpError.badJsonDoc();
  try {
    const m = new Merger(resolve);
    return m.mergeMap(cloneJson(doc), patch, { struct: resolve(structName) });
  } catch (e) {
    if (e instanceof StatusError) throw e;
    if (e instanceof RangeError) throw badRequest('strategic merge patch: the patch is nested too deeply');
    throw internal(`strategic merge patch: ${e instanceof Error ? e.message : String(e)}`);
  }
}
