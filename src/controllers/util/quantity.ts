// The controllers' names for the exact Quantity arithmetic in src/api/quantity.ts (one
// implementation for admission and controllers), plus a sum helper.
import { ZERO, add, cmp, fromInt, parseQuantity, toNumber } from '../../api/quantity.js';
import type { Quantity } from '../../api/quantity.js';

export type { Quantity, QuantityFormat } from '../../api/quantity.js';
export { parseQuantity, formatQuantity } from '../../api/quantity.js';
export const zeroQuantity: Quantity = ZERO;
export const addQuantity = add;
export const compareQuantity = cmp;
export const countQuantity = fromInt;
export const quantityValue = toNumber;

/** Sums a list of quantity strings (malformed ones are skipped). */
export function sumQuantities(values: Iterable<unknown>): Quantity {
  let total = zeroQuantity;
  for (const v of values) {
    const q = parseQuantity(v);
    if (q) total = addQuantity(total, q);
  }
  return total;
}
