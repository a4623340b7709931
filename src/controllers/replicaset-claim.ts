// Controller references as upstream's ControllerRefManager: an owner claims the objects its
// selector matches. Orphans that match are adopted (a strategic-merge patch adds a controller
// ownerReference, with the child's uid as precondition); owned objects that no longer match are
// released (the reference is removed). Objects controlled by someone else are left alone. Before
// the first adoption the owner is re-read from the API, so a just-deleted owner adopts nothing.
import type { KObject, OwnerReference } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { LabelSelector } from '../api/selectors/label-selector.js';
import type { RestClient } from '../client/rest-client.js';

export function controllerOf(obj: KObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function controllerRef(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export interface ClaimOptions<T extends KObject> {
  client: RestClient;
  owner: KObject;
  ownerApiVersion: string;
  ownerKind: string;
  selector: LabelSelector;
  candidates: T[];
  /** API path of the owner (re-read before adopting). */
  ownerPath: string;
  /** API path of a child (for the adopt/release patches). */
  childPath(child: T): string;
}

function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

/** Returns the children the owner controls after adopting and releasing; throws on failures after trying all. */
export async function claimChildren<T extends KObject>(o: ClaimOptions<T>): Promise<T[]> {
  const ownerUid = o.owner.metadata.uid!;
  const ownerDeleting = !!o.owner.metadata.deletionTimestamp;
  let adoptCheck: Promise<void> | undefined;
  const canAdopt = (): Promise<void> => {
    adoptCheck ??= (async () => {
      const fresh = await o.client.get<KObject>(o.ownerPath);
      if (fresh.metadata.uid !== ownerUid) throw new Error(`original ${o.ownerKind} ${o.owner.metadata.namespace}/${o.owner.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${ownerUid}`);
      if (fresh.metadata.deletionTimestamp) throw new Error(`${o.owner.metadata.namespace}/${o.owner.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    })();
    return adoptCheck;
  };
  const claimed: T[] = [];
  const errors: string[] = [];
  // Classify synchronously (thousands of pods per sync); only adoptions and releases wait on the API.
  const writes: Promise<void>[] = [];
  const write = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      if (!isNotFound(e)) errors.push((e as Error).message);
    }
  };
  for (const child of o.candidates) {
    const ref = controllerOf(child);
    const matches = o.selector.matches(child.metadata.labels);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches) claimed.push(child);
      else if (!ownerDeleting) {
        const release = { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: child.metadata.uid } };
        writes.push(write(async () => void (await o.client.patch(o.childPath(child), release, 'strategic'))));
      }
      continue;
    }
    if (ownerDeleting || !matches || child.metadata.deletionTimestamp) continue;
    const adopt = { metadata: { ownerReferences: [controllerRef(o.owner, o.ownerApiVersion, o.ownerKind)], uid: child.metadata.uid } };
    writes.push(
      write(async () => {
        await canAdopt();
        claimed.push(await o.client.patch<T>(o.childPath(child), adopt, 'strategic'));
      }),
    );
  }
  await Promise.all(writes);
  if (errors.length) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  return claimed;
}
