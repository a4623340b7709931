// Safe reads from objects as stored (plain JSON of unknown shape). Printers run on whatever a
// client managed to store, so every read tolerates a missing or mistyped field and falls back to
// the Go zero value the upstream printer would have seen on its typed struct.

import { isPlainObject } from '../types.js';

export function at(obj: unknown, ...path: (string | number)[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[key];
    } else {
      if (!isPlainObject(cur)) return undefined;
      cur = cur[key];
    }
  }
  return cur;
}

export const has = (obj: unknown, ...path: (string | number)[]): boolean => {
  const v = at(obj, ...path);
  return v !== undefined && v !== null;
};

export function str(obj: unknown, ...path: (string | number)[]): string {
  const v = at(obj, ...path);
  return typeof v === 'string' ? v : '';
}

export function int(obj: unknown, ...path: (string | number)[]): number {
  const v = at(obj, ...path);
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

export const bool = (obj: unknown, ...path: (string | number)[]): boolean => at(obj, ...path) === true;

export function list(obj: unknown, ...path: (string | number)[]): unknown[] {
  const v = at(obj, ...path);
  return Array.isArray(v) ? v : [];
}

export function record(obj: unknown, ...path: (string | number)[]): Record<string, unknown> {
  const v = at(obj, ...path);
  return isPlainObject(v) ? v : {};
}

/** A map[string]string field (labels, selectors, nodeSelector): non-string values dropped. */
export function stringMap(obj: unknown, ...path: (string | number)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(obj, ...path))) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A resource.Quantity as printed: stored strings verbatim, numbers in decimal, absent as "0". */
export function quantity(obj: unknown, ...path: (string | number)[]): string {
  const v = at(obj, ...path);
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return '0';
}

/** intstr.IntOrString's String(). */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : typeof v === 'string' ? v : '';
}
