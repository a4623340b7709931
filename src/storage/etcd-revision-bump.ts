// Raises an etcd cluster's revision to at least `target` and compacts everything below it: what
// etcd 3.5's `snapshot restore --bump-revision N --mark-compacted` does, done through the API
// because etcd 3.4 has no such flags. After a restore, clients (informers, `kubectl get -w`) may
// hold resourceVersions from after the snapshot; without the bump their watches would start in
// a future that the restored cluster fills with other objects' changes, and they would silently
// miss events. Above `target` and with all below it compacted, such a watch gets "compacted"
// (410 Expired) and the client relists.
//
// Every write transaction adds one revision, so the bump writes one marker key (outside
// /registry) `target - current` times, many writes in flight at once so that etcd batches them
// into few raft entries, then deletes the marker and compacts at the resulting revision.
import type { EtcdClient } from './etcd-client.js';

export const BUMP_MARKER_KEY = '/kts/revision-bump';
const IN_FLIGHT = 64;

export interface BumpResult {
  from: number;
  revision: number;
  ms: number;
}

export async function bumpRevisionAndCompact(client: EtcdClient, target: number, signal?: AbortSignal): Promise<BumpResult> {
  const started = Date.now();
  const key = Buffer.from(BUMP_MARKER_KEY);
  const from = (await client.status()).header.revision;
  let revision = from;
  let left = Math.max(0, target - from);
  const worker = async () => {
    while (left > 0 && !signal?.aborted) {
      left--;
      const r = await client.txn({ compare: [], success: [{ requestPut: { key, value: Buffer.from('') } }], failure: [] });
      revision = Math.max(revision, r.header.revision);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, left) }, worker));
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  const del = await client.deleteRange({ key });
  revision = Math.max(revision, del.header.revision);
  await client.compact(revision);
  return { from, revision, ms: Date.now() - started };
}
