// Unknown-field detection for custom objects at decode time, so fieldValidation (Strict / Warn)
// reports `unknown field "spec.foo"` for custom kinds as for built-in ones. The CRD controller
// registers each served resource's per-version schemas here.
import { clone } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { JSONSchemaProps } from './types.js';
import { prune } from './prune-default.js';

interface Registered {
  schemaOf(version: string): JSONSchemaProps | undefined;
  preserveUnknown(): boolean;
}

const registered = new WeakMap<ResourceInfo, Registered>();

export function registerCustomSchemas(info: ResourceInfo, r: Registered): void {
  registered.set(info, r);
}

/** Paths of fields the version's schema would prune, or undefined for non-custom resources. */
export function unknownCustomFields(info: ResourceInfo, version: string, obj: unknown): string[] | undefined {
  const r = registered.get(info);
  if (!r) return undefined;
  const schema = r.schemaOf(version);
  if (!schema || r.preserveUnknown()) return [];
  return prune(clone(obj), schema);
}
