// JSON Merge Patch (RFC 7386) as kube-apiserver applies it (application/merge-patch+json), with the
// evanphx/json-patch v4 details upstream inherits: a null or scalar patch is 400 `Invalid JSON Patch`,
// and nulls are pruned from objects a patch adds where the document had nothing (or a non-object).
import { badRequest } from '../errors.js';
import { cloneJson, hasOwn, isObject, setKey } from './json-value.js';

/** Copy of a patch value with null members of objects removed, at every depth (arrays keep null items). */
function pruned(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruned);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) if (v[k] !== null) setKey(out, k, pruned(v[k]));
  return out;
}

/** Merges `patch` into `target` in place; `target` is already a private copy. */
function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const k of Object.keys(patch)) {
    const pv = patch[k];
    if (pv === null) {
      delete target[k];
      continue;
    }
    const cur = hasOwn(target, k) ? target[k] : undefined;
    if (isObject(cur) && isObject(pv)) mergeInto(cur, pv);
    // Like v4: an array replacing an object is taken verbatim; anything else is pruned of nulls.
    else if (isObject(cur) && Array.isArray(pv)) setKey(target, k, cloneJson(pv));
    else setKey(target, k, pruned(pv));
  }
}

/**
 * Applies a decoded merge patch to `doc` and returns the result; neither input is changed.
 * Throws 400 BadRequest `Invalid JSON Patch` for a null or scalar patch, as upstream does.
 */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return pruned(patch);
  if (!isObject(patch)) throw badRequest('Invalid JSON Patch');
  if (!isObject(doc)) return pruned(patch);
  const out = cloneJson(doc);
  mergeInto(out, patch);
  return out;
}
