// Types for server-side apply from structural OpenAPI v3 schemas (CustomResourceDefinitions):
// objects with properties become structs, additionalProperties maps, arrays keep their
// x-kubernetes-list-type/-list-map-keys, x-kubernetes-map-type: atomic objects are leaves.
// The CRD code registers each served version under its schema name; unregistered custom kinds
// stay untyped (granular maps, atomic lists).
import type { Schema, StructDef } from '../schema/dsl.js';

export interface OpenAPIType {
  type?: string;
  properties?: Record<string, OpenAPIType>;
  additionalProperties?: OpenAPIType | boolean;
  items?: OpenAPIType;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** Structs made from registered schemas, by synthetic definition name. */
export const openAPIStructs = new Map<string, StructDef>();
/** Synthetic names that are atomic (x-kubernetes-map-type: atomic). */
export const openAPIAtomic = new Set<string>();

/** Registers (or replaces) the type of `name` (e.g. a custom kind's schema name). */
export function registerOpenAPIType(name: string, schema: OpenAPIType | undefined): void {
  for (const k of [...openAPIStructs.keys()]) if (k === name || k.startsWith(`${name}#`)) openAPIStructs.delete(k);
  for (const k of [...openAPIAtomic]) if (k === name || k.startsWith(`${name}#`)) openAPIAtomic.delete(k);
  if (!schema) return;
  const root = convert(name, schema);
  if (root.type === 'ref' && root.ref !== name) openAPIStructs.set(name, openAPIStructs.get(root.ref)!);
}

function convert(name: string, s: OpenAPIType): Schema {
  if (s.type === 'array') {
    const items = s.items ? convert(`${name}[]`, s.items) : ({ type: 'any' } as Schema);
    const lt = s['x-kubernetes-list-type'];
    const listType = lt === 'map' || lt === 'set' ? lt : 'atomic';
    return listType === 'map' ? { type: 'array', items, listType, mapKeys: s['x-kubernetes-list-map-keys'] ?? [] } : { type: 'array', items, listType };
  }
  if (s.type === 'object' || s.properties) {
    if (s.properties) {
      const fields: StructDef['fields'] = {};
      for (const [k, v] of Object.entries(s.properties)) fields[k] = { schema: convert(`${name}.${k}`, v) };
      openAPIStructs.set(name, { name, fields });
      if (s['x-kubernetes-map-type'] === 'atomic') openAPIAtomic.add(name);
      return { type: 'ref', ref: name };
    }
    if (typeof s.additionalProperties === 'object') return { type: 'map', values: convert(`${name}{}`, s.additionalProperties) };
    return { type: 'any' };
  }
  return s.type ? { type: 'string' } : { type: 'any' };
}
