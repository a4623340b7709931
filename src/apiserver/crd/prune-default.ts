// Structural-schema pruning (drop fields the schema does not declare, unless
// x-kubernetes-preserve-unknown-fields) and defaulting (`default` of absent properties), as
// apiextensions-apiserver does on every write before validation.
import { clone, isPlainObject } from '../../api/types.js';
import type { JSONSchemaProps } from './types.js';

/** Removes unknown fields in place; `root` keeps apiVersion/kind/metadata. Returns removed paths. */
export function prune(value: unknown, schema: JSONSchemaProps, path = '', root = true, removed: string[] = []): string[] {
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => prune(v, schema.items!, `${path}[${i}]`, false, removed));
    return removed;
  }
  if (!isPlainObject(value)) return removed;
  // An embedded object keeps its apiVersion/kind/metadata, as a root does.
  const embedded = root || schema['x-kubernetes-embedded-resource'] === true;
  for (const k of Object.keys(value)) {
    const p = `${path ? path + '.' : ''}${k}`;
    if (embedded && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) {
      if (!root && k === 'metadata' && schema.properties?.metadata) prune(value[k], schema.properties.metadata, p, false, removed);
      continue;
    }
    const ps = schema.properties?.[k] ?? (isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (ps) prune(value[k], ps, p, false, removed);
    else if (!schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true) {
      delete value[k];
      removed.push(p);
    }
  }
  return removed;
}

/** Fills `default`s of absent properties (and of items of arrays), in place. */
export function applySchemaDefaults(value: unknown, schema: JSONSchemaProps): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const v of value) applySchemaDefaults(v, schema.items);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [k, ps] of Object.entries(schema.properties ?? {})) {
    if (!(k in value) && ps.default !== undefined) value[k] = clone(ps.default);
    if (k in value) applySchemaDefaults(value[k], ps);
  }
  if (isPlainObject(schema.additionalProperties)) {
    for (const k of Object.keys(value)) if (!schema.properties?.[k]) applySchemaDefaults(value[k], schema.additionalProperties);
  }
}
