// Authorizing one HTTP request: impersonation first (Impersonate-User/-Group/-Uid/-Extra-*, each
// checked with the `impersonate` verb as upstream), then the request itself — a resource request
// with the verb the request-info parser found, or a non-resource path with the lowercased method.
// Returns the user the request then acts as.
import type { IncomingMessage } from 'node:http';
import { badRequest } from '../../api/errors.js';
import type { RequestInfo } from '../request-info.js';
import type { Authorization } from './authorization.js';
import type { Attributes, UserInfo } from './types.js';
import { pathAttributes, resourceAttributes } from './types.js';

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const SA_PREFIX = 'system:serviceaccount:';

export function requestAttributes(user: UserInfo, method: string, path: string, ri: RequestInfo, query?: URLSearchParams): Attributes {
  if (!ri.isResourceRequest) return pathAttributes(user, method.toLowerCase(), path);
  // A list or watch narrowed to one name (fieldSelector=metadata.name=x) is authorized for that name, as upstream.
  const name = ri.name || ((ri.verb === 'list' || ri.verb === 'watch') && query ? selectedName(query.get('fieldSelector')) : '');
  // The subresource is one segment (`nodes/x/proxy/metrics` is the proxy subresource), as upstream's request info.
  const subresource = ri.subresource.split('/')[0]!;
  return resourceAttributes(user, ri.verb, { group: ri.group, version: ri.version, resource: ri.resource, subresource, namespace: ri.namespace, name });
}

function selectedName(selector: string | null): string {
  if (!selector) return '';
  for (const term of selector.split(',')) {
    const m = /^\s*metadata\.name\s*(?:==|=)\s*([^\s]*)\s*$/.exec(term);
    if (m) return m[1]!;
  }
  return '';
}

/** The impersonated user when the request asks for one (and may), else the authenticated user. */
export async function impersonate(authz: Authorization, user: UserInfo, req: IncomingMessage): Promise<UserInfo> {
  const h = req.headers;
  const asUser = header(h['impersonate-user']);
  const asGroups = list(h['impersonate-group']);
  const asUid = header(h['impersonate-uid']);
  const extras = Object.keys(h).filter((k) => k.startsWith('impersonate-extra-'));
  if (asUser === undefined) {
    if (asGroups.length || asUid !== undefined || extras.length) throw badRequest('requested impersonation of groups, uid or extra without impersonating a user');
    return user;
  }
  const checks: Attributes[] = [];
  const sa = asUser.startsWith(SA_PREFIX) ? asUser.slice(SA_PREFIX.length).split(':') : undefined;
  if (sa && sa.length === 2) checks.push(resourceAttributes(user, 'impersonate', { resource: 'serviceaccounts', namespace: sa[0], name: sa[1] }));
  else checks.push(resourceAttributes(user, 'impersonate', { resource: 'users', name: asUser }));
  for (const g of asGroups) checks.push(resourceAttributes(user, 'impersonate', { resource: 'groups', name: g }));
  if (asUid !== undefined) checks.push(resourceAttributes(user, 'impersonate', { group: 'authentication.k8s.io', resource: 'uids', name: asUid }));
  const extra: Record<string, string[]> = {};
  for (const k of extras) {
    const key = decodeURIComponent(k.slice('impersonate-extra-'.length));
    for (const v of list(h[k])) {
      checks.push(resourceAttributes(user, 'impersonate', { group: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v }));
      (extra[key] ??= []).push(v);
    }
  }
  for (const c of checks) await authz.check(c);
  const groups = [...asGroups];
  if (sa && sa.length === 2) groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[0]}`);
  groups.push(asUser === ANONYMOUS.name ? 'system:unauthenticated' : 'system:authenticated');
  return { name: asUser, groups: [...new Set(groups)], ...(asUid !== undefined ? { uid: asUid } : {}), ...(extras.length ? { extra } : {}) };
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
}
