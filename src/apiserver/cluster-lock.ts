// A lock that API servers sharing one datastore (etcd) take in storage, for the few admission
// steps that read, decide and write as one (ResourceQuota: count usage, admit, store). The key
// `/kts/locks/<name>` (outside /registry/, so no watcher sees it) is created by the holder and
// deleted when done; a holder that died is overtaken once its deadline (30 s) has passed, by a
// guarded delete, so two waiters cannot both take it. A single server (SQLite) needs none: its
// in-process lock is enough.
import { randomUUID } from 'node:crypto';
import type { Backend } from '../storage/backend.js';
import { ConflictError, KeyExistsError, KeyNotFoundError } from '../storage/backend.js';
import { StatusError } from '../api/errors.js';

const HOLD_MS = 30_000;
const WAIT_MS = 30_000;

export interface ClusterLock {
  /** Runs `fn` while holding the cluster-wide lock `name`. */
  hold<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export class StorageLock implements ClusterLock {
  constructor(
    private readonly backend: Backend,
    private readonly opts: { holdMs?: number; waitMs?: number } = {},
  ) {}

  async hold<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const key = `/kts/locks/${name}`;
    const holder = randomUUID();
    const giveUp = Date.now() + (this.opts.waitMs ?? WAIT_MS);
    let rev: number;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      try {
        rev = (await this.backend.create(key, JSON.stringify({ holder, until: Date.now() + (this.opts.holdMs ?? HOLD_MS) }))).modRevision;
        break;
      } catch (e) {
        if (!(e instanceof KeyExistsError)) throw e;
      }
      const { kv } = await this.backend.get(key);
      if (kv && expired(kv.value)) {
        // The holder is gone (or stuck past its deadline): remove its lock, unless someone else did first.
        await this.backend.delete(key, kv.modRevision).catch((e: unknown) => {
          if (!(e instanceof ConflictError || e instanceof KeyNotFoundError)) throw e;
        });
        continue;
      }
      if (Date.now() > giveUp) throw new StatusError(504, 'Timeout', `timed out waiting for the lock ${name} held by another API server`);
      await new Promise((r) => setTimeout(r, pause + Math.random() * pause));
    }
    try {
      return await fn();
    } finally {
      await this.backend.delete(key, rev).catch(() => {
        // Overtaken after the deadline, or storage failing: nothing of ours to remove.
      });
    }
  }
}

function expired(value: string): boolean {
  try {
    const until = (JSON.parse(value) as { until?: unknown }).until;
    return typeof until !== 'number' || until < Date.now();
  } catch {
    return true;
  }
}
