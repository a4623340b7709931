// NodeRestriction admission (upstream's plugin of that name): a kubelet may create or change only
// its own Node, may create only mirror pods bound to itself, and may update the status of or
// delete only pods bound to itself. Other users pass untouched.
import type { KObject } from '../../api/types.js';
import { forbidden } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { RequestContext } from '../registry/store.js';
import { nodeIdentity } from './node-identity.js';

const MIRROR = 'kubernetes.io/config.mirror';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export function admitNodeRestriction(info: ResourceInfo, op: Operation, obj: KObject, old: KObject | undefined, subresource: string, ctx: RequestContext): void {
  if (info.group !== '' || (info.resource !== 'nodes' && info.resource !== 'pods')) return;
  const node = nodeIdentity(ctx.user);
  if (node === undefined) return;
  const name = obj.metadata.name ?? '';
  const deny = (why: string) => forbidden({ group: '', resource: info.resource }, name, why);
  if (!node) throw deny('could not determine node from user "' + ctx.user.name + '"');
  if (info.resource === 'nodes') {
    if (name !== node) throw deny(`node ${q(node)} is not allowed to modify node ${q(name)}`);
    return;
  }
  const boundTo = (p: KObject | undefined) => (p?.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
  if (op === 'CREATE' && !subresource) {
    if (!obj.metadata.annotations?.[MIRROR]) throw deny(`pod does not have ${q(MIRROR)} annotation, node ${q(node)} can only create mirror pods`);
    if (boundTo(obj) !== node) throw deny(`node ${q(node)} can only create pods with spec.nodeName set to itself`);
    return;
  }
  if (op === 'UPDATE' && subresource === 'status') {
    if (boundTo(old ?? obj) !== node) throw deny(`node ${q(node)} can only update pod status for pods with spec.nodeName set to itself`);
    return;
  }
  if (op === 'DELETE') {
    if (boundTo(obj) !== node) throw deny(`node ${q(node)} can only delete pods with spec.nodeName set to itself`);
  }
}

function q(s: string): string {
  return JSON.stringify(s);
}
