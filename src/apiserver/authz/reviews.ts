// The review kinds, answered by the API server and never stored: SelfSubjectAccessReview,
// SubjectAccessReview and LocalSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview
// (`can-i --list`), SelfSubjectReview (`kubectl auth whoami`) and TokenReview. The create itself
// was authorized like any request before it gets here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KObject } from '../../api/types.js';
import { isPlainObject } from '../../api/types.js';
import { badRequest, fieldErrors, invalid, methodNotAllowed, type FieldError } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { RequestInfo } from '../request-info.js';
import { fieldValidationOf, readObject } from '../decode.js';
import { writeJson } from '../respond.js';
import type { Authorization } from './authorization.js';
import { PRIVILEGED_GROUP } from './authorization.js';
import type { Attributes, UserInfo } from './types.js';
import { pathAttributes, resourceAttributes } from './types.js';
import { nodeIdentity } from './node-identity.js';

const AZ = 'authorization.k8s.io';
const AN = 'authentication.k8s.io';
const REVIEWS = new Set([`${AZ}/selfsubjectaccessreviews`, `${AZ}/subjectaccessreviews`, `${AZ}/localsubjectaccessreviews`, `${AZ}/selfsubjectrulesreviews`, `${AN}/selfsubjectreviews`, `${AN}/tokenreviews`]);

export interface ReviewDeps {
  authorization: Authorization;
  resources: readonly ResourceInfo[];
  /** Authenticates a bearer token as the server would (TokenReview). */
  authenticateToken(token: string): Promise<UserInfo | undefined>;
}

export function isReviewRequest(ri: RequestInfo): boolean {
  return ri.isResourceRequest && ri.version === 'v1' && REVIEWS.has(`${ri.group}/${ri.resource}`);
}

export async function serveReview(req: IncomingMessage, res: ServerResponse, ri: RequestInfo, query: URLSearchParams, user: UserInfo, deps: ReviewDeps): Promise<void> {
  if (ri.verb !== 'create' || ri.name || ri.subresource) throw methodNotAllowed('the server does not allow this method on the requested resource');
  const info = deps.resources.find((r) => r.group === ri.group && r.resource === ri.resource)!;
  if (!info.namespaced && ri.namespace) throw badRequest(`namespace is not allowed on this type: ${ri.namespace}`);
  const version = info.versions[0]!;
  const obj = await readObject(req, { info, version: 'v1', schema: version.schema, kind: info.kind, group: info.group }, fieldValidationOf(query), []);
  const spec = (isPlainObject(obj.spec) ? obj.spec : {}) as Record<string, unknown>;
  let status: Record<string, unknown>;
  switch (info.kind) {
    case 'SelfSubjectAccessReview':
      status = accessStatus(deps.authorization, attributesOf(info, spec, user));
      break;
    case 'SubjectAccessReview':
      status = accessStatus(deps.authorization, attributesOf(info, spec, subjectOf(info, spec)));
      break;
    case 'LocalSubjectAccessReview': {
      const ra = spec.resourceAttributes as { namespace?: string } | undefined;
      if (spec.nonResourceAttributes) throw invalid(AZ, info.kind, '', [fieldErrors.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request')]);
      if ((ra?.namespace ?? '') !== ri.namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${ri.namespace}`);
      status = accessStatus(deps.authorization, attributesOf(info, spec, subjectOf(info, spec)));
      break;
    }
    case 'SelfSubjectRulesReview':
      status = rulesStatus(deps.authorization, user, typeof spec.namespace === 'string' ? spec.namespace : '');
      break;
    case 'SelfSubjectReview':
      status = { userInfo: userInfoOf(user) };
      break;
    default: {
      const token = typeof spec.token === 'string' ? spec.token : '';
      if (!token) throw invalid(AN, info.kind, '', [fieldErrors.required('spec.token', 'token must not be empty')]);
      const who = await deps.authenticateToken(token);
      status = who ? { authenticated: true, user: userInfoOf(who), ...(Array.isArray(spec.audiences) ? { audiences: spec.audiences } : {}) } : { authenticated: false };
    }
  }
  const out: KObject = { ...obj, metadata: { ...obj.metadata, creationTimestamp: null as unknown as string }, status };
  writeJson(res, 201, out);
}

function attributesOf(info: ResourceInfo, spec: Record<string, unknown>, user: UserInfo): Attributes {
  const ra = isPlainObject(spec.resourceAttributes) ? (spec.resourceAttributes as Record<string, string | undefined>) : undefined;
  const nra = isPlainObject(spec.nonResourceAttributes) ? (spec.nonResourceAttributes as Record<string, string | undefined>) : undefined;
  const errs: FieldError[] = [];
  if (ra && nra) errs.push(fieldErrors.invalid('spec.nonResourceAttributes', nra, 'cannot be specified in combination with resourceAttributes'));
  if (!ra && !nra) errs.push(fieldErrors.required('spec.resourceAttributes', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (errs.length) throw invalid(info.group, info.kind, '', errs);
  if (nra) return pathAttributes(user, nra.verb ?? '', nra.path ?? '');
  return resourceAttributes(user, ra!.verb ?? '', { group: ra!.group, version: ra!.version, resource: ra!.resource ?? '', subresource: ra!.subresource, namespace: ra!.namespace, name: ra!.name });
}

function subjectOf(info: ResourceInfo, spec: Record<string, unknown>): UserInfo {
  const name = typeof spec.user === 'string' ? spec.user : '';
  const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [];
  if (!name && !groups.length) throw invalid(info.group, info.kind, '', [fieldErrors.invalid('spec.user', name, 'at least one of user or group must be specified')]);
  const extra = isPlainObject(spec.extra) ? (spec.extra as Record<string, string[]>) : undefined;
  return { name, groups, ...(typeof spec.uid === 'string' && spec.uid ? { uid: spec.uid } : {}), ...(extra ? { extra } : {}) };
}

function accessStatus(authz: Authorization, a: Attributes): Record<string, unknown> {
  const r = authz.authorize(a);
  const status: Record<string, unknown> = { allowed: r.decision === 'allow' };
  if (r.decision === 'deny') status.denied = true;
  if (r.reason) status.reason = r.reason;
  return status;
}

function rulesStatus(authz: Authorization, user: UserInfo, namespace: string): Record<string, unknown> {
  if (user.groups.includes(PRIVILEGED_GROUP)) {
    return { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false };
  }
  const { rules, errors } = authz.rulesFor(user, namespace);
  const resourceRules = rules.filter((r) => r.resources?.length).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  // A node's rules depend on its pods (the Node authorizer), which a list cannot express.
  if (nodeIdentity(user) !== undefined) errors.push('node authorizer does not support user rule resolution');
  const status: Record<string, unknown> = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
  if (errors.length) status.evaluationError = errors.join(', ');
  return status;
}

function userInfoOf(u: UserInfo): Record<string, unknown> {
  return { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}
