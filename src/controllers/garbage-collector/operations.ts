// The garbage collector's writes and live reads, all through the API: look an object up (a
// missing owner must be confirmed by the API server, not inferred from a cache), delete a
// dependent with a uid precondition, and edit ownerReferences/finalizers with a merge patch that
// carries the resourceVersion (so a concurrent change makes it fail with 409 and be retried).
import type { KObject, OwnerReference } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { StatusError } from '../../api/errors.js';
import type { RestClient } from '../../client/rest-client.js';
import { resourcePath } from '../../client/rest-client.js';

export interface ObjectIdentity {
  info: ResourceInfo;
  version: string;
  namespace: string;
  name: string;
  uid: string;
}

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

function path(id: Omit<ObjectIdentity, 'uid'>): string {
  return resourcePath(id.info.group, id.version, id.info.resource, id.info.namespaced ? id.namespace : undefined, id.name);
}

function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

/** The object, or undefined when it does not exist. */
export async function getObject(client: RestClient, id: Omit<ObjectIdentity, 'uid'>): Promise<KObject | undefined> {
  try {
    return await client.get<KObject>(path(id));
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Deletes the object if it is still the one with this uid; a vanished object is fine. */
export async function deleteObject(client: RestClient, id: ObjectIdentity, propagationPolicy: Propagation): Promise<void> {
  try {
    await client.delete(path(id), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy, preconditions: { uid: id.uid } });
  } catch (e) {
    if (isNotFound(e)) return;
    // A uid precondition failure means the name now belongs to a new object: not ours to delete.
    if (e instanceof StatusError && e.code === 409 && e.message.includes('Precondition failed: UID')) return;
    throw e;
  }
}

/**
 * Re-reads the object and applies `edit` to its ownerReferences and finalizers; writes only when
 * something changed. Returns false when the object is gone or no longer has this uid.
 */
export async function editMetadata(
  client: RestClient,
  id: ObjectIdentity,
  edit: (m: { ownerReferences: OwnerReference[]; finalizers: string[] }) => { ownerReferences: OwnerReference[]; finalizers: string[] },
): Promise<boolean> {
  const cur = await getObject(client, id);
  if (!cur || cur.metadata.uid !== id.uid) return false;
  const before = { ownerReferences: cur.metadata.ownerReferences ?? [], finalizers: cur.metadata.finalizers ?? [] };
  const after = edit({ ownerReferences: before.ownerReferences.map((r) => ({ ...r })), finalizers: [...before.finalizers] });
  const patch: Record<string, unknown> = { resourceVersion: cur.metadata.resourceVersion };
  if (JSON.stringify(after.ownerReferences) !== JSON.stringify(before.ownerReferences)) patch.ownerReferences = after.ownerReferences.length ? after.ownerReferences : null;
  if (JSON.stringify(after.finalizers) !== JSON.stringify(before.finalizers)) patch.finalizers = after.finalizers.length ? after.finalizers : null;
  if (Object.keys(patch).length === 1) return true;
  try {
    await client.patch(path(id), { metadata: patch }, 'merge');
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
  return true;
}
