// Which requests come from a kubelet: user system:node:<name> in group system:nodes (upstream's
// nodeidentifier). Anything else is not a node, whatever its groups.
import type { UserInfo } from './types.js';

export const NODES_GROUP = 'system:nodes';
const PREFIX = 'system:node:';

/** The node name, '' for a node identity without a name, undefined when not a node at all. */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.name.startsWith(PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  return user.name.slice(PREFIX.length);
}
