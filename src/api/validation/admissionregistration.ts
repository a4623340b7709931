// admissionregistration.k8s.io/v1: Mutating/ValidatingWebhookConfiguration (upstream
// pkg/apis/admissionregistration/validation). matchConditions are CEL expressions, which kts
// does not evaluate: a configuration using them is refused (a subset on purpose, not silence).
import { fieldErrors, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { arr, child, index, num, obj, str } from './field.js';
import { validateLabelSelector, validateObjectMeta } from './meta.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from './names.js';

const OPERATIONS = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const REVIEW_VERSIONS = ['v1', 'v1beta1'];

function validateClientConfig(cc: unknown, path: string): FieldError[] {
  const c = obj(cc);
  if (!c) return [fieldErrors.required(path, '')];
  const url = str(c.url);
  const svc = obj(c.service);
  if ((url === undefined) === (svc === undefined)) return [fieldErrors.required(path, 'exactly one of url or service is required')];
  if (url !== undefined) {
    let u: URL | undefined;
    try { u = new URL(url); } catch { /* reported below */ }
    if (!u || !u.host) return [fieldErrors.invalid(child(path, 'url'), url, 'host must be specified')];
    if (u.protocol !== 'https:') return [fieldErrors.invalid(child(path, 'url'), url, "'https' is the only allowed URL scheme")];
    if (u.username || u.password) return [fieldErrors.invalid(child(path, 'url'), url, 'user information is not permitted in the URL')];
    if (u.hash) return [fieldErrors.invalid(child(path, 'url'), url, 'fragments are not permitted in the URL')];
    if (u.search) return [fieldErrors.invalid(child(path, 'url'), url, 'query parameters are not permitted in the URL')];
    return [];
  }
  const sp = child(path, 'service');
  const errs: FieldError[] = [];
  if (!str(svc!.name)) errs.push(fieldErrors.required(child(sp, 'name'), 'service name is required'));
  if (!str(svc!.namespace)) errs.push(fieldErrors.required(child(sp, 'namespace'), 'service namespace is required'));
  const port = num(svc!.port);
  if (port !== undefined && (port < 1 || port > 65535)) errs.push(fieldErrors.invalid(child(sp, 'port'), port, 'port is not valid: must be between 1 and 65535, inclusive'));
  const p = str(svc!.path);
  if (p !== undefined && p !== '' && !p.startsWith('/')) errs.push(fieldErrors.invalid(child(sp, 'path'), p, "must start with a '/'"));
  return errs;
}

function validateRule(r: unknown, path: string): FieldError[] {
  const o = obj(r) ?? {};
  const errs: FieldError[] = [];
  const ops = arr(o.operations);
  if (ops.length === 0) errs.push(fieldErrors.required(child(path, 'operations'), ''));
  if (ops.length > 1 && ops.includes('*')) errs.push(fieldErrors.invalid(child(path, 'operations'), ops, 'if \'*\' is present, must not specify other operations'));
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(String(op))) errs.push(fieldErrors.notSupported(index(child(path, 'operations'), i), op, OPERATIONS));
  });
  for (const k of ['apiGroups', 'apiVersions', 'resources']) {
    const vals = arr(o[k]);
    if (vals.length === 0) errs.push(fieldErrors.required(child(path, k), ''));
    if (vals.length > 1 && vals.includes('*')) errs.push(fieldErrors.invalid(child(path, k), vals, 'if \'*\' is present, must not specify other ' + (k === 'resources' ? 'resources without subresources' : k === 'apiGroups' ? 'API groups' : 'API versions')));
  }
  arr(o.resources).forEach((res, i) => {
    const s = String(res);
    if (s === '') errs.push(fieldErrors.required(index(child(path, 'resources'), i), ''));
    else if (s.split('/').length > 2) errs.push(fieldErrors.invalid(index(child(path, 'resources'), i), s, 'resource must be of the form \'resource\' or \'resource/subresource\''));
  });
  const scope = o.scope;
  if (scope !== undefined && scope !== null && !['Cluster', 'Namespaced', '*'].includes(String(scope))) errs.push(fieldErrors.notSupported(child(path, 'scope'), scope, ['Cluster', 'Namespaced', '*']));
  return errs;
}

function validateWebhook(w: unknown, path: string, mutating: boolean): FieldError[] {
  const o = obj(w) ?? {};
  const errs: FieldError[] = [];
  const name = str(o.name) ?? '';
  if (!name) errs.push(fieldErrors.required(child(path, 'name'), ''));
  else {
    for (const msg of isDNS1123Subdomain(name)) errs.push(fieldErrors.invalid(child(path, 'name'), name, msg));
    if (name.split('.').length < 3) errs.push(fieldErrors.invalid(child(path, 'name'), name, 'should be a domain with at least three segments separated by dots'));
  }
  arr(o.rules).forEach((r, i) => errs.push(...validateRule(r, index(child(path, 'rules'), i))));
  if (o.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(String(o.failurePolicy))) errs.push(fieldErrors.notSupported(child(path, 'failurePolicy'), o.failurePolicy, ['Fail', 'Ignore']));
  if (o.matchPolicy !== undefined && !['Equivalent', 'Exact'].includes(String(o.matchPolicy))) errs.push(fieldErrors.notSupported(child(path, 'matchPolicy'), o.matchPolicy, ['Equivalent', 'Exact']));
  if (o.sideEffects === undefined || o.sideEffects === null || o.sideEffects === '') errs.push(fieldErrors.required(child(path, 'sideEffects'), `must specify one of ${SIDE_EFFECTS.join(', ')}`));
  else if (!SIDE_EFFECTS.includes(String(o.sideEffects))) errs.push(fieldErrors.notSupported(child(path, 'sideEffects'), o.sideEffects, SIDE_EFFECTS));
  const versions = arr(o.admissionReviewVersions).map(String);
  if (versions.length === 0) errs.push(fieldErrors.required(child(path, 'admissionReviewVersions'), `must specify one of ${REVIEW_VERSIONS.join(', ')}`));
  else if (!versions.some((v) => REVIEW_VERSIONS.includes(v))) errs.push(fieldErrors.invalid(child(path, 'admissionReviewVersions'), versions, `must include at least one of ${REVIEW_VERSIONS.join(', ')}`));
  const timeout = num(o.timeoutSeconds);
  if (timeout !== undefined && (timeout < 1 || timeout > 30)) errs.push(fieldErrors.invalid(child(path, 'timeoutSeconds'), timeout, 'the timeout value must be between 1 and 30 seconds'));
  if (mutating && o.reinvocationPolicy !== undefined && !['Never', 'IfNeeded'].includes(String(o.reinvocationPolicy))) errs.push(fieldErrors.notSupported(child(path, 'reinvocationPolicy'), o.reinvocationPolicy, ['Never', 'IfNeeded']));
  errs.push(...validateLabelSelector(o.namespaceSelector, child(path, 'namespaceSelector')));
  errs.push(...validateLabelSelector(o.objectSelector, child(path, 'objectSelector')));
  errs.push(...validateClientConfig(o.clientConfig, child(path, 'clientConfig')));
  if (arr(o.matchConditions).length > 0) errs.push(fieldErrors.forbidden(child(path, 'matchConditions'), 'matchConditions (CEL expressions) are not supported by kts; remove them or use objectSelector/namespaceSelector'));
  return errs;
}

function validateConfiguration(o: KObject, mutating: boolean): FieldError[] {
  const errs = validateObjectMeta(o.metadata, false, nameIsDNSSubdomain);
  const seen = new Set<string>();
  arr(o.webhooks).forEach((w, i) => {
    const p = index('webhooks', i);
    errs.push(...validateWebhook(w, p, mutating));
    const name = str(obj(w)?.name);
    if (name) {
      if (seen.has(name)) errs.push(fieldErrors.duplicate(child(p, 'name'), name));
      seen.add(name);
    }
  });
  return errs;
}

export const validateMutatingWebhookConfiguration = (o: KObject): FieldError[] => validateConfiguration(o, true);
export const validateValidatingWebhookConfiguration = (o: KObject): FieldError[] => validateConfiguration(o, false);
