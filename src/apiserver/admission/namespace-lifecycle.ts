// NamespaceLifecycle admission (no new objects in a missing or
// terminating namespace; the four system namespaces cannot be deleted).
import type { KObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { StatusError, forbidden, notFound } from '../../api/errors.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export type NamespaceLookup = (name: string) => Promise<KObject | undefined>;

export async function checkNamespaceLifecycle(info: ResourceInfo, namespace: string, name: string, lookup: NamespaceLookup): Promise<void> {
  if (!info.namespaced || !namespace) return;
  const ns = await lookup(namespace);
  if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
  if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
    throw new StatusError(403, 'Forbidden', `${info.resource}${info.group ? '.' + info.group : ''} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
      name,
      group: info.group || undefined,
      kind: info.resource,
      causes: [{ type: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}

export function checkNamespaceDeletable(name: string): void {
  if (SYSTEM_NAMESPACES.includes(name)) {
    throw forbidden({ group: '', resource: 'namespaces' }, name, `this namespace may not be deleted`);
  }
}
