// rbac.authorization.k8s.io: Role, ClusterRole, RoleBinding, ClusterRoleBinding
// (upstream pkg/apis/rbac/validation). Names are path segments, not DNS names.
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { arr, child, goStringSlice, index, invalidRaw, obj, str, type Obj } from './field.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Subdomain, isValidPathSegmentName, nameIsPathSegment } from './names.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validateRule(r: unknown, path: string, namespaced: boolean): FieldError[] {
  const rule = obj(r) ?? {};
  const errs: FieldError[] = [];
  if (arr(rule.verbs).length === 0) errs.push(fieldErrors.required(child(path, 'verbs'), 'verbs must contain at least one value'));
  const urls = arr(rule.nonResourceURLs).map(String);
  if (urls.length) {
    if (namespaced) errs.push(invalidRaw(child(path, 'nonResourceURLs'), goStringSlice(urls), 'namespaced rules cannot apply to non-resource URLs'));
    if (arr(rule.apiGroups).length || arr(rule.resources).length || arr(rule.resourceNames).length) {
      errs.push(invalidRaw(child(path, 'nonResourceURLs'), goStringSlice(urls), 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (arr(rule.apiGroups).length === 0) errs.push(fieldErrors.required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if (arr(rule.resources).length === 0) errs.push(fieldErrors.required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRole(role: KObject, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(role.metadata, namespaced, nameIsPathSegment);
  arr(role.rules).forEach((r, i) => errs.push(...validateRule(r, index('rules', i), namespaced)));
  const agg = obj(role.aggregationRule);
  if (!namespaced && agg) {
    const selectors = arr(agg.clusterRoleSelectors);
    if (selectors.length === 0) errs.push(fieldErrors.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, index('aggregationRule.clusterRoleSelectors', i))));
  }
  return errs;
}

function validateSubject(s: unknown, path: string, namespaced: boolean): FieldError[] {
  const subject = obj(s) ?? {};
  const errs: FieldError[] = [];
  const name = str(subject.name) ?? '';
  const apiGroup = str(subject.apiGroup) ?? '';
  if (!name) errs.push(fieldErrors.required(child(path, 'name'), ''));
  switch (subject.kind) {
    case 'ServiceAccount':
      if (name) for (const m of isDNS1123Subdomain(name)) errs.push(fieldErrors.invalid(child(path, 'name'), name, m));
      if (apiGroup) errs.push(fieldErrors.notSupported(child(path, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && !str(subject.namespace)) errs.push(fieldErrors.required(child(path, 'namespace'), ''));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported(child(path, 'apiGroup'), apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(fieldErrors.notSupported(child(path, 'kind'), subject.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

export function validateBinding(binding: KObject, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(binding.metadata, namespaced, nameIsPathSegment);
  const ref: Obj = obj(binding.roleRef) ?? {};
  if (ref.apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (typeof ref.kind !== 'string' || !kinds.includes(ref.kind)) errs.push(fieldErrors.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  const name = str(ref.name) ?? '';
  if (!name) errs.push(fieldErrors.required('roleRef.name', ''));
  else for (const m of isValidPathSegmentName(name)) errs.push(fieldErrors.invalid('roleRef.name', name, m));
  arr(binding.subjects).forEach((s, i) => errs.push(...validateSubject(s, index('subjects', i), namespaced)));
  return errs;
}

/** roleRef cannot change: a new binding must be created instead. */
export function validateBindingUpdate(binding: KObject, old: KObject, namespaced: boolean): FieldError[] {
  const errs = [...validateObjectMetaUpdate(binding.metadata, old.metadata), ...validateBinding(binding, namespaced).filter((e) => !e.field.startsWith('metadata'))];
  const a = obj(binding.roleRef) ?? {};
  const b = obj(old.roleRef) ?? {};
  if (a.apiGroup !== b.apiGroup || a.kind !== b.kind || a.name !== b.name) {
    const q = (v: unknown): string => JSON.stringify(str(v) ?? '');
    errs.push(invalidRaw('roleRef', `rbac.RoleRef{APIGroup:${q(a.apiGroup)}, Kind:${q(a.kind)}, Name:${q(a.name)}}`, 'cannot change roleRef'));
  }
  return errs;
}
