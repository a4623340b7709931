// Background compaction of etcd, as upstream's apiserver does it: every interval (5 minutes), in one
// transaction guarded by the version of `compact_rev_key`, record the revision seen at the previous
// tick and then compact to it — so etcd keeps one interval of history, and of several servers
// sharing one etcd only the one whose transaction wins compacts in an interval (the others see the
// version move and wait for the next tick). The key and its value look exactly like upstream's, so
// kts and kube-apiservers can share an etcd.
import type { Compactor } from './compactor.js';
import { DEFAULT_COMPACT_INTERVAL_MS, runPeriodically } from './compactor.js';
import type { EtcdClient } from './etcd-client.js';

/** Upstream's key (at the root, outside /registry/); its value is the last revision compacted to. */
export const COMPACT_REV_KEY = 'compact_rev_key';

export interface EtcdCompactorOptions {
  /** Milliseconds between ticks (default 5 minutes; 0 or less disables). */
  intervalMs?: number;
  /** Compacts etcd to `revision` (the backend's compact, which also raises its floor). */
  compact(revision: number): Promise<void>;
  onError(err: unknown): void;
}

export function startEtcdCompactor(client: EtcdClient, opts: EtcdCompactorOptions): Compactor {
  const intervalMs = opts.intervalMs ?? DEFAULT_COMPACT_INTERVAL_MS;
  const key = Buffer.from(COMPACT_REV_KEY);
  /** The version of compact_rev_key we last saw, and the revision seen at the previous tick. */
  let version = 0;
  let revision = 0;

  const tick = async (): Promise<void> => {
    const r = await client.txn({
      compare: [{ key, target: 'VERSION', result: 'EQUAL', version }],
      success: [{ requestPut: { key, value: Buffer.from(String(revision)) } }],
      failure: [{ requestRange: { key } }],
    });
    const seen = r.header.revision;
    if (!r.succeeded) {
      // Another server compacted in this interval (or we just started): adopt its version and
      // compact to what we see now at the next tick, if nobody else does first.
      version = r.responses[0]?.responseRange?.kvs[0]?.version ?? 0;
      revision = seen;
      return;
    }
    version++;
    const target = revision;
    revision = seen;
    if (target > 0) await opts.compact(target);
  };

  // As upstream's: the first tick (one interval after start) only records where history starts.
  return runPeriodically(tick, intervalMs, opts.onError);
}
