// Escalation prevention for RBAC writes, as upstream's RBAC storage: a Role or ClusterRole may
// hold only rules its writer already has (or the writer has `escalate` on it); a binding may point
// only at a role whose rules the writer has (or the writer has `bind` on it); aggregationRule
// needs full authority. system:masters may do anything. Changes that only touch what the garbage
// collector changes (ownerReferences, finalizers) pass, so it can clean up roles it cannot hold.
import type { KObject } from '../../api/types.js';
import { forbidden } from '../../api/errors.js';
import type { RequestContext } from '../registry/store.js';
import type { Authorization } from './authorization.js';
import { PRIVILEGED_GROUP } from './authorization.js';
import type { PolicyRule, UserInfo } from './types.js';
import { resourceAttributes } from './types.js';
import { compactRules, compactString, goQuoteList, missingRules } from './covers.js';
import type { RoleRef } from './rbac-index.js';

const GROUP = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];

export async function checkRbacWrite(authz: Authorization, resource: string, obj: KObject, old: KObject | undefined, ctx: RequestContext): Promise<void> {
  const user = ctx.user;
  if (user.groups.includes(PRIVILEGED_GROUP)) return;
  if (old && onlyGcFieldsChanged(obj, old)) return;
  const name = obj.metadata.name ?? '';
  const namespace = resource === 'roles' || resource === 'rolebindings' ? (obj.metadata.namespace ?? '') : '';
  const ref = { group: GROUP, resource };
  if (resource === 'roles' || resource === 'clusterroles') {
    if ((await authz.allowed(resourceAttributes(user, 'escalate', { group: GROUP, resource, namespace, name }))).decision === 'allow') return;
    const why = confirmNoEscalation(authz, user, namespace, (obj.rules as PolicyRule[] | undefined) ?? []);
    if (why) throw forbidden(ref, name, why);
    // An aggregationRule can gather anything: it takes * on *.*.
    if (resource === 'clusterroles' && (obj.aggregationRule || old?.aggregationRule) && confirmNoEscalation(authz, user, '', FULL_AUTHORITY)) {
      throw forbidden(ref, name, 'must have cluster-admin privileges to use an aggregationRule');
    }
    return;
  }
  const roleRef = (obj.roleRef ?? {}) as RoleRef;
  const roleResource = roleRef.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
  if ((await authz.allowed(resourceAttributes(user, 'bind', { group: GROUP, resource: roleResource, namespace, name: roleRef.name }))).decision === 'allow') return;
  const rules = authz.index.roleRules(roleRef, namespace);
  if (typeof rules === 'string') throw forbidden(ref, name, rules);
  const why = confirmNoEscalation(authz, user, namespace, rules);
  if (why) throw forbidden(ref, name, why);
}

/** undefined when the user holds every rule; else upstream's explanation. */
export function confirmNoEscalation(authz: Authorization, user: UserInfo, namespace: string, rules: PolicyRule[]): string | undefined {
  const held = authz.rulesFor(user, namespace);
  const missing = missingRules(held.rules, rules);
  if (!missing.length) return undefined;
  const lines = compactRules(missing).map(compactString).sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (held.errors.length) msg += `; resolution errors: [${held.errors.join(' ')}]`;
  return msg;
}

function onlyGcFieldsChanged(obj: KObject, old: KObject): boolean {
  const strip = (o: KObject) => {
    const { ownerReferences: _o, finalizers: _f, resourceVersion: _r, managedFields: _m, generation: _g, ...meta } = o.metadata;
    return JSON.stringify({ ...o, metadata: meta });
  };
  return strip(obj) === strip(old);
}
