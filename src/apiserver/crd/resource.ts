// A custom resource as kts serves it: the ResourceInfo derived from its CRD (names, scope,
// versions with the storage version first, subresources) and the store's schema-driven
// pruning, defaulting and validation (CustomValidation), read from the CRD current at each write.
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { FieldError } from '../../api/errors.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/meta.js';
import { nameIsDNSSubdomain } from '../../api/validation/names.js';
import type { CustomValidation } from '../registry/store.js';
import type { CrdSpec, CrdVersion, JSONSchemaProps } from './types.js';
import { applySchemaDefaults, prune } from './prune-default.js';
import { validateValue } from './schema-validate.js';

/** Schema names of custom kinds: never in the built-in registry, so decoding skips them. */
export function customSchemaName(group: string, version: string, kind: string): string {
  return `crd:${group}/${version}/${kind}`;
}

export function storageVersion(spec: CrdSpec): CrdVersion | undefined {
  return (spec.versions ?? []).find((v) => v.storage);
}

export function resourceInfoOf(spec: CrdSpec): ResourceInfo {
  const group = spec.group!;
  const names = spec.names!;
  const storage = storageVersion(spec);
  const served = (spec.versions ?? []).filter((v) => v.served || v === storage);
  served.sort((a, b) => (a === storage ? -1 : b === storage ? 1 : 0));
  const subresources: string[] = [];
  if (storage?.subresources?.status) subresources.push('status');
  if (storage?.subresources?.scale) subresources.push('scale');
  const info: ResourceInfo = {
    group,
    versions: served.map((v) => ({ version: v.name!, schema: customSchemaName(group, v.name!, names.kind!) })),
    kind: names.kind!,
    resource: names.plural!,
    singular: names.singular ?? names.kind!.toLowerCase(),
    namespaced: spec.scope === 'Namespaced',
  };
  if (names.shortNames?.length) info.shortNames = [...names.shortNames];
  if (names.categories?.length) info.categories = [...names.categories];
  if (subresources.length) info.subresources = subresources;
  return info;
}

/** Pruning, defaulting and validation for a custom resource's store; `current` returns the live CRD spec. */
export function customValidation(current: () => CrdSpec, namespaced: boolean): CustomValidation {
  const schemaOf = (): JSONSchemaProps | undefined => storageVersion(current())?.schema?.openAPIV3Schema;
  return {
    prepare(obj) {
      const schema = schemaOf();
      if (!schema) return;
      if (!current().preserveUnknownFields) prune(obj, schema);
      applySchemaDefaults(obj, schema);
    },
    validate(obj, old) {
      const errs: FieldError[] = old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : [];
      errs.push(...validateObjectMeta(obj.metadata, namespaced, nameIsDNSSubdomain));
      const schema = schemaOf();
      if (schema) validateValue(withoutMeta(obj), schema, '', errs);
      return errs;
    },
  };
}

function withoutMeta(obj: KObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') out[k] = v;
  return isPlainObject(out) ? out : {};
}
