// Validates a custom object against its version's structural openAPIV3Schema with upstream's
// (kube-openapi) messages: `spec.replicas: Invalid value: "string": spec.replicas in body must be
// of type integer: "string"`. The subset: type, nullable, required, enum, minimum/maximum,
// minLength/maxLength, pattern, minItems/maxItems, int-or-string, list-type set/map uniqueness.
import type { FieldError } from '../../api/errors.js';
import { fieldErrors, formatValue } from '../../api/errors.js';
import { isPlainObject } from '../../api/types.js';
import type { JSONSchemaProps } from './types.js';

export function validateValue(value: unknown, schema: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (value === null) {
    if (!schema.nullable && schema.type) errs.push(typeError(path, value, schema));
    return;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
      errs.push({ type: 'FieldValueTypeInvalid', field: path, message: `${path}: Invalid value: ${formatValue(value)}: ${path} in body must be of type integer,string: ${quoted(value)}` });
      return;
    }
  } else if (schema.type && !typeMatches(value, schema.type)) {
    errs.push(typeError(path, value, schema));
    return;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errs.push(fieldErrors.notSupported(path, value, schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof value === 'number') checkNumber(value, schema, path, errs);
  if (typeof value === 'string') checkString(value, schema, path, errs);
  if (Array.isArray(value)) checkArray(value, schema, path, errs);
  else if (isPlainObject(value)) {
    // An embedded object must say what it is (apiextensions' embedded-resource validation).
    if (schema['x-kubernetes-embedded-resource']) {
      for (const k of ['apiVersion', 'kind']) if (!value[k]) errs.push(fieldErrors.required(`${path}.${k}`, 'must not be empty'));
    }
    checkObject(value, schema, path, errs);
  }
  for (const sub of schema.allOf ?? []) validateValue(value, sub, path, errs);
}

function typeMatches(v: unknown, type: string): boolean {
  switch (type) {
    case 'object': return isPlainObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

function quoted(v: unknown): string {
  if (v === null) return '"null"';
  if (typeof v === 'string') return '"string"';
  if (typeof v === 'number') return `"${Number.isInteger(v) ? 'integer' : 'number'}"`;
  if (typeof v === 'boolean') return '"boolean"';
  return Array.isArray(v) ? '"array"' : '"object"';
}

/** kube-openapi reports the value's JSON type as the "value" of a type error. */
function typeError(path: string, value: unknown, schema: JSONSchemaProps): FieldError {
  const shown = quoted(value);
  return { type: 'FieldValueTypeInvalid', field: path, message: `${path}: Invalid value: ${shown}: ${path} in body must be of type ${schema.type}: ${shown}` };
}

function checkNumber(v: number, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
    errs.push(fieldErrors.invalid(path, v, `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
  }
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
    errs.push(fieldErrors.invalid(path, v, `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
  }
}

function checkString(v: string, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength) errs.push(fieldErrors.tooLong(path, s.maxLength));
  if (s.minLength !== undefined && len < s.minLength) errs.push(fieldErrors.invalid(path, v, `${path} in body should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re && !re.test(v)) errs.push(fieldErrors.invalid(path, v, `${path} in body should match '${s.pattern}'`));
  }
}

function checkArray(v: unknown[], s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(fieldErrors.tooMany(path, v.length, s.maxItems));
  if (s.minItems !== undefined && v.length < s.minItems) errs.push(fieldErrors.invalid(path, v.length, `${path} in body should have at least ${s.minItems} items`));
  if (s.items) v.forEach((item, i) => validateValue(item, s.items!, `${path}[${i}]`, errs));
  const lt = s['x-kubernetes-list-type'];
  if (lt === 'set' || s.uniqueItems) {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const k = JSON.stringify(item);
      if (seen.has(k)) errs.push(fieldErrors.duplicate(`${path}[${i}]`, item));
      seen.add(k);
    });
  } else if (lt === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    v.forEach((item, i) => {
      if (!isPlainObject(item)) return;
      const id = JSON.stringify(keys.map((k) => item[k] ?? null));
      if (seen.has(id)) {
        const shown = keys.length === 1 ? item[keys[0]!] : Object.fromEntries(keys.map((k) => [k, item[k]]));
        errs.push(fieldErrors.duplicate(`${path}[${i}]`, shown));
      }
      seen.add(id);
    });
  }
}

function checkObject(v: Record<string, unknown>, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const child = (k: string) => (path ? `${path}.${k}` : k);
  for (const r of s.required ?? []) if (!(r in v)) errs.push(fieldErrors.required(child(r)));
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) errs.push(fieldErrors.tooMany(path, n, s.maxProperties));
  if (s.minProperties !== undefined && n < s.minProperties) errs.push(fieldErrors.invalid(path, n, `${path} in body should have at least ${s.minProperties} properties`));
  for (const [k, val] of Object.entries(v)) {
    // The object's own metadata is validated by the generic ObjectMeta rules, not the schema.
    if (!path && (k === 'metadata' || k === 'apiVersion' || k === 'kind')) continue;
    const p = s.properties?.[k];
    if (p) validateValue(val, p, child(k), errs);
    else if (isPlainObject(s.additionalProperties)) validateValue(val, s.additionalProperties, child(k), errs);
  }
}
