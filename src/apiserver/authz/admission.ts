// The authorization-related admission steps every write goes through: NodeRestriction, then
// RBAC escalation prevention for roles and bindings.
import type { KObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { RequestContext } from '../registry/store.js';
import type { Authorization } from './authorization.js';
import { admitNodeRestriction, type Operation } from './node-restriction.js';
import { checkRbacWrite } from './escalation.js';

export async function admitAuthorization(authz: Authorization, info: ResourceInfo, op: Operation, obj: KObject, old: KObject | undefined, subresource: string, ctx: RequestContext): Promise<void> {
  admitNodeRestriction(info, op, obj, old, subresource, ctx);
  if (op !== 'DELETE' && info.group === 'rbac.authorization.k8s.io' && !subresource) await checkRbacWrite(authz, info.resource, obj, old, ctx);
}
