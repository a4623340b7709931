// Defaulting and validation of CustomResourceDefinition objects, with apiextensions-apiserver's
// messages: name = plural.group, names, scope, versions (exactly one storage version), and the
// structural-schema rules kts relies on (types specified, object at the root).
import type { FieldError } from '../../api/errors.js';
import { fieldErrors } from '../../api/errors.js';
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import type { CrdSpec, JSONSchemaProps } from './types.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

/** Upstream's SetDefaults for CRDs: singular, listKind, conversion strategy None. */
export function defaultCrd(obj: KObject): void {
  const spec = (isPlainObject(obj.spec) ? obj.spec : {}) as CrdSpec;
  const names = spec.names;
  if (names?.kind) {
    names.singular ??= names.kind.toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  obj.spec = spec;
}

export function validateCrd(obj: KObject, old: KObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const spec = (isPlainObject(obj.spec) ? obj.spec : {}) as CrdSpec;
  const name = obj.metadata.name ?? '';
  if (spec.names?.plural && spec.group && name !== `${spec.names.plural}.${spec.group}`) {
    errs.push(fieldErrors.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!spec.group) errs.push(fieldErrors.required('spec.group'));
  else if (!DNS_SUBDOMAIN.test(spec.group)) errs.push(fieldErrors.invalid('spec.group', spec.group, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
  else if (spec.group.split('.').length < 2) errs.push(fieldErrors.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') {
    errs.push(spec.scope ? fieldErrors.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']) : fieldErrors.required('spec.scope'));
  }
  const n = spec.names ?? {};
  if (!n.plural) errs.push(fieldErrors.required('spec.names.plural'));
  else if (!DNS_LABEL.test(n.plural)) errs.push(fieldErrors.invalid('spec.names.plural', n.plural, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
  if (n.singular && !DNS_LABEL.test(n.singular)) errs.push(fieldErrors.invalid('spec.names.singular', n.singular, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
  if (!n.kind) errs.push(fieldErrors.required('spec.names.kind'));
  else if (!KIND.test(n.kind)) errs.push(fieldErrors.invalid('spec.names.kind', n.kind, 'may have mixed case, but should otherwise match: ^[a-z]([-a-z0-9]*[a-z0-9])?$'));
  (n.shortNames ?? []).forEach((s, i) => {
    if (!DNS_LABEL.test(s)) errs.push(fieldErrors.invalid(`spec.names.shortNames[${i}]`, s, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
  });
  const versions = spec.versions ?? [];
  if (!versions.length) errs.push(fieldErrors.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  else {
    const storage = versions.filter((v) => v.storage).length;
    if (storage !== 1) errs.push(fieldErrors.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
    if (!versions.some((v) => v.served)) errs.push(fieldErrors.invalid('spec.versions', versions, 'must have at least one version marked as served'));
  }
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (!v.name) errs.push(fieldErrors.required(`${p}.name`));
    else if (!DNS_LABEL.test(v.name)) errs.push(fieldErrors.invalid(`${p}.name`, v.name, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"));
    else if (seen.has(v.name)) errs.push(fieldErrors.duplicate(`${p}.name`, v.name));
    if (v.name) seen.add(v.name);
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) errs.push(fieldErrors.required(`${p}.schema.openAPIV3Schema`, 'schemas are required'));
    else {
      if (schema.type !== 'object') errs.push(fieldErrors.invalid(`${p}.schema.openAPIV3Schema.type`, schema.type ?? '', 'must be object at the root'));
      structural(schema, `${p}.schema.openAPIV3Schema`, errs, true);
    }
    const scale = v.subresources?.scale;
    if (scale) {
      if (!scale.specReplicasPath) errs.push(fieldErrors.required(`${p}.subresources.scale.specReplicasPath`));
      else if (!scale.specReplicasPath.startsWith('.spec.')) errs.push(fieldErrors.invalid(`${p}.subresources.scale.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'));
      if (!scale.statusReplicasPath) errs.push(fieldErrors.required(`${p}.subresources.scale.statusReplicasPath`));
      else if (!scale.statusReplicasPath.startsWith('.status.')) errs.push(fieldErrors.invalid(`${p}.subresources.scale.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'));
    }
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c.name) errs.push(fieldErrors.required(`${cp}.name`));
      if (!c.jsonPath) errs.push(fieldErrors.required(`${cp}.JSONPath`));
      if (!['integer', 'number', 'string', 'boolean', 'date'].includes(c.type ?? '')) errs.push(fieldErrors.notSupported(`${cp}.type`, c.type ?? '', ['boolean', 'date', 'integer', 'number', 'string']));
    });
  });
  const strategy = spec.conversion?.strategy;
  if (strategy !== 'None' && strategy !== 'Webhook') errs.push(fieldErrors.notSupported('spec.conversion.strategy', strategy ?? '', ['None', 'Webhook']));
  else if (strategy === 'Webhook') errs.push(fieldErrors.forbidden('spec.conversion.strategy', 'conversion webhooks are not supported by this kts version'));
  if (old) {
    const os = (isPlainObject(old.spec) ? old.spec : {}) as CrdSpec;
    if (os.scope && spec.scope !== os.scope) errs.push(fieldErrors.invalid('spec.scope', spec.scope, 'field is immutable'));
    if (os.names?.kind && n.kind !== os.names.kind) errs.push(fieldErrors.invalid('spec.names.kind', n.kind, 'field is immutable'));
    if (os.names?.plural && n.plural !== os.names.plural) errs.push(fieldErrors.invalid('spec.names.plural', n.plural, 'field is immutable'));
    if (os.group && spec.group !== os.group) errs.push(fieldErrors.invalid('spec.group', spec.group, 'field is immutable'));
  }
  return errs;
}

/** The structural-schema checks: every specified field has a type (unless int-or-string or preserve-unknown). */
function structural(s: JSONSchemaProps, path: string, errs: FieldError[], root: boolean): void {
  const free = s['x-kubernetes-int-or-string'] || s['x-kubernetes-preserve-unknown-fields'];
  if (!root && !s.type && !free) errs.push(fieldErrors.required(`${path}.type`, 'must not be empty for specified object fields'));
  if (s.type && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(s.type)) {
    errs.push(fieldErrors.notSupported(`${path}.type`, s.type, ['array', 'boolean', 'integer', 'number', 'object', 'string']));
  }
  if (s.type === 'array' && !s.items) errs.push(fieldErrors.required(`${path}.items`, 'must be specified'));
  if (s.properties && isPlainObject(s.additionalProperties)) errs.push(fieldErrors.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  for (const [k, p] of Object.entries(s.properties ?? {})) structural(p, `${path}.properties[${k}]`, errs, false);
  if (s.items && isPlainObject(s.items)) structural(s.items, `${path}.items`, errs, false);
  if (isPlainObject(s.additionalProperties)) structural(s.additionalProperties as JSONSchemaProps, `${path}.additionalProperties`, errs, false);
  if (s['x-kubernetes-list-type'] === 'map' && !(s['x-kubernetes-list-map-keys'] ?? []).length) {
    errs.push(fieldErrors.required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
  }
}
