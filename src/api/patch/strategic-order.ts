// Ordering of merged lists in strategic merge patch, as upstream's normalizeElementOrder does it:
// items named by the patch (or by `$setElementOrder`) follow that order; items only the server has
// keep their place relative to the live list. Precedence: $setElementOrder > patch order > live order.
// A consequence worth knowing: without $setElementOrder, items new to the list are placed before the
// server-only items they are compared with, so `kubectl patch` adding a container puts it first;
// `kubectl apply` always sends $setElementOrder and so gets the order of its manifest.
import { PATCH_DIRECTIVE, smpError } from './strategic-directives.js';
import { hasOwn, isObject } from './json-value.js';

/** What identifies an item: its merge key value for lists of maps, the item itself for scalars. */
function identity(item: unknown, mergeKey: string): unknown {
  if (!mergeKey) return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

/** Position of each identity's first occurrence, as upstream's linear index() finds it. */
function positions(list: readonly unknown[], mergeKey: string): Map<unknown, number> {
  const m = new Map<unknown, number>();
  for (let i = 0; i < list.length; i++) {
    const id = identity(list[i], mergeKey);
    if (!m.has(id)) m.set(id, i);
  }
  return m;
}

/** Throws unless every item is a map holding the merge key. */
function requireMergeKey(list: readonly unknown[], mergeKey: string): void {
  for (const v of list) {
    if (!isObject(v)) throw smpError.badArgType('map', v);
    if (!hasOwn(v, mergeKey)) throw smpError.noMergeKey(v, mergeKey);
  }
}

/** Splits `merged` into items present in `by` and the rest, keeping order. */
export function partition(merged: readonly unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  if (mergeKey) {
    requireMergeKey(merged, mergeKey);
    by.forEach((v, i) => {
      if (!isObject(v)) throw smpError.notMap(i);
    });
  }
  const ids = new Set<unknown>();
  for (const v of by) if (!mergeKey || hasOwn(v as object, mergeKey)) ids.add(identity(v, mergeKey));
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const v of merged) (ids.has(identity(v, mergeKey)) ? present : absent).push(v);
  return [present, absent];
}

/** Stable sort of `items` by their position in `order`; `$patch: delete` items go last. */
function sortByOrder(items: unknown[], order: readonly unknown[], mergeKey: string): unknown[] {
  let rest = items;
  const toDelete: unknown[] = [];
  if (mergeKey) {
    requireMergeKey(items, mergeKey);
    requireMergeKey(order, mergeKey);
    rest = [];
    for (const v of items) ((v as Record<string, unknown>)[PATCH_DIRECTIVE] === 'delete' ? toDelete : rest).push(v);
  }
  const pos = positions(order, mergeKey);
  const at = (v: unknown): number => pos.get(identity(v, mergeKey)) ?? Number.MAX_SAFE_INTEGER;
  const sorted = rest
    .map((v, i) => ({ v, i, p: at(v) }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((e) => e.v);
  return toDelete.length ? sorted.concat(toDelete) : sorted;
}

/**
 * Orders a merged list: `patchItems` by `patchOrder`, `serverOnly` by `serverOrder`, then interleaves
 * them: a server-only item goes before a patch item only when both are in the live list and it was
 * in front there.
 */
export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey);
  const pos = positions(serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = pos.get(identity(left[i], mergeKey));
      const ri = pos.get(identity(right[j], mergeKey));
      if (li !== undefined && ri !== undefined && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * Checks a patch list against its `$setElementOrder` list: the patch items (deletions and other
 * directive items aside) must appear in the order list, in the same relative order.
 */
export function validateSetElementOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items: readonly unknown[] = patchList;
  if (mergeKey) {
    items = patchList.filter((v) => {
      if (!isObject(v)) throw smpError.badArgType('map', v);
      return v[PATCH_DIRECTIVE] !== 'delete';
    });
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObject(item) && hasOwn(item, PATCH_DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKey) {
      requireMergeKey([item, order[o]], mergeKey);
    }
    if (identity(item, mergeKey) === identity(order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) throw smpError.orderMismatch(patchList, order);
}
