// The vocabulary of strategic merge patch: directive keys, the errors upstream's strategicpatch and
// mergepatch packages raise (with their wording), and stripping directives from values that are
// taken from the patch without merging.
import { StatusError, badRequest } from '../errors.js';
import { patchNotApplied } from './json-patch.js';
import { goFormat, goTypeName, hasOwn, isObject, setKey } from './json-value.js';

export const PATCH_DIRECTIVE = '$patch';
export const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
/** Prefixes; upstream tests `HasPrefix(key, prefix)` and then requires a `/` after the prefix. */
export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';

/**
 * Upstream's errors. Those its patch handler maps to 400 keep their message; the two it maps to
 * 422 lose it (as in JSON patch). The rest upstream returns as 500 with the message; kts answers
 * 400 BadRequest instead, since they are all faults in the request.
 */
export const smpError = {
  badJsonDoc: (): StatusError => badRequest('invalid JSON document'),
  primitiveListFormat: (): StatusError => badRequest('invalid patch format of primitive list'),
  retainKeysFormat: (): StatusError => badRequest('invalid patch format of retainKeys'),
  setElementOrderFormat: (): StatusError => badRequest('invalid patch format of setElementOrder list'),
  noListOfLists: (): StatusError => patchNotApplied('lists of lists are not supported'),
  badArgType: (expected: 'map' | 'list', actual: unknown): StatusError =>
    badRequest(`expected a ${expected === 'map' ? 'map[string]interface {}' : '[]interface {}'}, but received a ${goTypeName(actual)}`),
  noMergeKey: (m: unknown, key: string): StatusError => badRequest(`map: ${goFormat(m)} does not contain declared merge key: ${key}`),
  badPatchType: (t: unknown, m: unknown): StatusError => badRequest(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`),
  notMap: (index: number): StatusError => badRequest(`value for key ${index} is not a map.`),
  orderMismatch: (patchList: unknown, order: unknown): StatusError =>
    badRequest(`the order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n${goFormat(order)}`),
};

/** Keys that instruct the merge rather than carry data. */
export function isDirectiveKey(k: string): boolean {
  return k === PATCH_DIRECTIVE || k === RETAIN_KEYS_DIRECTIVE || k.startsWith(SET_ELEMENT_ORDER_PREFIX) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX);
}

/** `$setElementOrder/containers` → `containers`; a prefix with no `/` is upstream's format error. */
export function directiveTarget(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === SET_ELEMENT_ORDER_PREFIX ? smpError.setElementOrderFormat() : smpError.primitiveListFormat();
  }
  return key.slice(slash + 1);
}

export const DROP = Symbol('drop');

/**
 * A copy of a patch value taken as-is (no original to merge with), as upstream's removeDirectives
 * plus discardNullValuesFromPatch: maps carrying `$patch` are dropped, null members of maps are
 * dropped (there is nothing to delete), and other directive keys are removed so they never reach
 * the stored object. Returns DROP when the value itself is a `$patch` map.
 */
export function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const y = stripDirectives(x);
      if (y !== DROP) out.push(y);
    }
    return out;
  }
  if (!isObject(v)) return v;
  if (hasOwn(v, PATCH_DIRECTIVE)) return DROP;
  return stripMembers(v);
}

/** The members of a map copied through stripDirectives (the map's own `$patch` is ignored). */
export function stripMembers(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (x === null || isDirectiveKey(k)) continue;
    const y = stripDirectives(x);
    if (y !== DROP) setKey(out, k, y);
  }
  return out;
}

/**
 * `$retainKeys`: drops keys of `original` missing from the list. Every non-null data key of the
 * patch must be listed, else the patch is malformed (upstream: invalid patch format of retainKeys).
 */
export function applyRetainKeys(original: Record<string, unknown>, patch: Record<string, unknown>): void {
  const list = patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(list)) throw smpError.retainKeysFormat();
  const keep = new Set<unknown>(list);
  for (const k of Object.keys(patch)) {
    if (k === RETAIN_KEYS_DIRECTIVE || patch[k] === null) continue;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || k.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    if (!keep.has(k)) throw smpError.retainKeysFormat();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}
