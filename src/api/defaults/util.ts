// Small helpers for defaulting plain JSON objects in place: a default is applied only where the
// field is absent (undefined or null), as upstream's SetDefaults_* functions test for nil.
import { isPlainObject } from '../types.js';

export type Obj = Record<string, unknown>;

export const isUnset = (v: unknown): boolean => v === undefined || v === null;

/** Sets `o[k] = value` when the field is unset; returns the field's final value. */
export function setDefault<T>(o: Obj, k: string, value: T): unknown {
  if (isUnset(o[k])) o[k] = value;
  return o[k];
}

/** Like setDefault, but also replaces an empty string (upstream's `if x == ""` for string fields). */
export function setDefaultString(o: Obj, k: string, value: string): void {
  if (isUnset(o[k]) || o[k] === '') o[k] = value;
}

/** The object at o[k], or undefined if it is not an object. */
export const child = (o: Obj | undefined, k: string): Obj | undefined => {
  const v = o?.[k];
  return isPlainObject(v) ? v : undefined;
};

/** The object at o[k], created empty when unset. */
export function ensure(o: Obj, k: string): Obj {
  const v = o[k];
  if (isPlainObject(v)) return v;
  const fresh: Obj = {};
  o[k] = fresh;
  return fresh;
}

/** Objects in the list at o[k] (non-objects skipped). */
export const items = (o: Obj | undefined, k: string): Obj[] => {
  const v = o?.[k];
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
};
