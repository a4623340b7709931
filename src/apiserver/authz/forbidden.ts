// The 403 a denied request gets, worded as kube-apiserver words it: `pods "x" is forbidden: User
// "bob" cannot get resource "pods" in API group "" in the namespace "default"[: reason]`, `… at the
// cluster scope`, and `forbidden: User "bob" cannot get path "/metrics"` for non-resource URLs.
import { StatusError } from '../../api/errors.js';
import type { Attributes } from './types.js';

export function forbiddenMessage(a: Attributes): string {
  const user = a.user.name;
  if (!a.isResourceRequest) return `User ${q(user)} cannot ${a.verb} path ${q(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (a.namespace) return `User ${q(user)} cannot ${a.verb} resource ${q(resource)} in API group ${q(a.apiGroup)} in the namespace ${q(a.namespace)}`;
  return `User ${q(user)} cannot ${a.verb} resource ${q(resource)} in API group ${q(a.apiGroup)} at the cluster scope`;
}

/** Go's %q for the strings that appear here. */
function q(s: string): string {
  return JSON.stringify(s);
}

export function forbiddenError(a: Attributes, reason: string): StatusError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.isResourceRequest || !a.resource) return new StatusError(403, 'Forbidden', `forbidden: ${msg}`, {});
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const target = a.name ? `${qualified} ${q(a.name)}` : qualified;
  return new StatusError(403, 'Forbidden', `${target} is forbidden: ${msg}`, { name: a.name || undefined, group: a.apiGroup || undefined, kind: a.resource });
}
