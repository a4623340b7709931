// The in-memory backend: the same etcd semantics as SQLite (one global revision, guarded writes,
// reads at past revisions, watch replay, compaction), without durability. For unit tests and
// simulations; it is also the executable reference the conformance suite checks SQLite against.
import type { Backend, KeyValue, ListOptions, ListResult, WatchEvent } from './backend.js';
import { CompactedError, ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError, StorageError } from './backend.js';
import { startCompactor, type Compactor } from './compactor.js';
import { rangeStart, readRevision } from './key-range.js';
import { WatchHub } from './watch-hub.js';
import { createLogger } from '../util/log.js';

export interface MemoryBackendOptions {
  /** Background compaction interval (default 5 minutes; 0 disables). */
  compactIntervalMs?: number;
  /** Revisions of history the background compaction keeps (default 1000). */
  keepRevisions?: number;
  /** Closes the backend when aborted. */
  signal?: AbortSignal;
}

/** One write to a key: its value from then on, or a tombstone (`kv` absent). */
interface Version {
  readonly revision: number;
  readonly kv?: KeyValue;
}

export function createMemoryBackend(opts: MemoryBackendOptions = {}): Backend {
  return new MemoryBackend(opts);
}

class MemoryBackend implements Backend {
  /** A fresh store is at revision 1, as in etcd, so the first write is 2 and "0" never names a state. */
  private revision = 1;
  private compacted = 0;
  private readonly versions = new Map<string, Version[]>();
  /** Keys that have versions, sorted; new keys wait in `unsorted` until the next ordered read. */
  private sorted: string[] = [];
  private unsorted: string[] = [];
  /** Every event after the compacted revision, in revision order (the watch replay source). */
  private log: WatchEvent[] = [];
  private readonly hub = new WatchHub(1, 0);
  private readonly compactor: Compactor;
  private closed = false;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => void this.close();

  constructor(opts: MemoryBackendOptions) {
    const log = createLogger({ component: 'storage/memory' });
    this.compactor = startCompactor(this, {
      intervalMs: opts.compactIntervalMs,
      keepRevisions: opts.keepRevisions,
      onError: (err) => log.warn(`compaction failed: ${String(err)}`),
    });
    this.signal = opts.signal;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.signal?.aborted) void this.close();
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.revision;
  }

  async compactRevision(): Promise<number> {
    this.assertOpen();
    return this.compacted;
  }

  publishedRevision(): number {
    return this.revision;
  }

  async get(key: string, revision?: number): Promise<{ kv?: KeyValue; revision: number }> {
    this.assertOpen();
    const at = readRevision(revision, this.revision, this.compacted);
    const kv = this.at(key, at);
    return kv ? { kv, revision: at } : { revision: at };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.assertOpen();
    const prev = this.latest(key);
    if (prev) throw new KeyExistsError(key);
    const rev = this.revision + 1;
    const kv = freeze(key, value, rev, rev);
    this.commit(key, { revision: rev, kv }, { type: 'put', kv, created: true });
    return kv;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.assertOpen();
    const prev = this.latest(key);
    if (!prev) throw new KeyNotFoundError(key);
    if (prev.modRevision !== expectedModRevision) throw new ConflictError(key, prev);
    const rev = this.revision + 1;
    const kv = freeze(key, value, prev.createRevision, rev);
    this.commit(key, { revision: rev, kv }, { type: 'put', kv, prevKv: prev });
    return kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.assertOpen();
    const prev = this.latest(key);
    if (!prev) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && prev.modRevision !== expectedModRevision) throw new ConflictError(key, prev);
    const rev = this.revision + 1;
    const kv = freeze(key, prev.value, prev.createRevision, rev);
    this.commit(key, { revision: rev }, { type: 'delete', kv, prevKv: prev });
    return kv;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const at = readRevision(opts.revision, this.revision, this.compacted);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const keys = this.keys();
    const kvs: KeyValue[] = [];
    let remaining = 0;
    for (let i = lowerBound(keys, rangeStart(prefix, opts.startKey)); i < keys.length && keys[i]!.startsWith(prefix); i++) {
      const kv = this.at(keys[i]!, at);
      if (!kv) continue;
      if (kvs.length < limit) kvs.push(kv);
      else remaining++;
    }
    return remaining > 0 ? { kvs, revision: at, more: true, remaining } : { kvs, revision: at, more: false };
  }

  async count(prefix: string): Promise<{ count: number; revision: number }> {
    this.assertOpen();
    const keys = this.keys();
    let count = 0;
    for (let i = lowerBound(keys, prefix); i < keys.length && keys[i]!.startsWith(prefix); i++) if (this.latest(keys[i]!)) count++;
    return { count, revision: this.revision };
  }

  async watch(prefix: string, afterRevision: number, onEvents: (events: WatchEvent[]) => void, signal: AbortSignal): Promise<void> {
    this.assertOpen();
    const after = Math.max(0, afterRevision);
    if (after < this.compacted) throw new CompactedError(after, this.compacted);
    const backlog: WatchEvent[] = [];
    for (let i = firstAfter(this.log, after); i < this.log.length; i++) {
      const e = this.log[i]!;
      if (e.kv.key.startsWith(prefix)) backlog.push(e);
    }
    return this.hub.subscribe(prefix, after, backlog, onEvents, signal);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision > this.revision) throw new FutureRevisionError(revision, this.revision);
    if (revision <= this.compacted) return;
    const cut = firstAfter(this.log, revision);
    // Only keys written since the last compaction can hold history that this one drops.
    const touched = new Set<string>();
    for (let i = 0; i < cut; i++) touched.add(this.log[i]!.kv.key);
    const gone = new Set<string>();
    for (const key of touched) {
      const versions = this.versions.get(key)!;
      let keepFrom = upperBoundRevision(versions, revision) - 1;
      if (keepFrom >= 0 && !versions[keepFrom]!.kv) keepFrom++; // a tombstone at/below the cut goes too
      if (keepFrom > 0) versions.splice(0, keepFrom);
      if (versions.length === 0) {
        this.versions.delete(key);
        gone.add(key);
      }
    }
    if (gone.size > 0) {
      this.sorted = this.sorted.filter((k) => !gone.has(k));
      this.unsorted = this.unsorted.filter((k) => !gone.has(k));
    }
    this.log = this.log.slice(cut);
    this.compacted = revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    await this.compactor.stop();
    this.hub.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('storage backend is closed');
  }

  private commit(key: string, version: Version, event: WatchEvent): void {
    let versions = this.versions.get(key);
    if (!versions) {
      this.versions.set(key, (versions = []));
      this.unsorted.push(key);
    }
    versions.push(version);
    this.revision = version.revision;
    this.log.push(event);
    this.hub.publish([event]);
  }

  private latest(key: string): KeyValue | undefined {
    const versions = this.versions.get(key);
    return versions?.[versions.length - 1]?.kv;
  }

  private at(key: string, revision: number): KeyValue | undefined {
    const versions = this.versions.get(key);
    if (!versions) return undefined;
    const i = upperBoundRevision(versions, revision) - 1;
    return i >= 0 ? versions[i]!.kv : undefined;
  }

  private keys(): string[] {
    if (this.unsorted.length > 0) {
      this.sorted = mergeSorted(this.sorted, this.unsorted.sort(compare));
      this.unsorted = [];
    }
    return this.sorted;
  }
}

function freeze(key: string, value: string, createRevision: number, modRevision: number): KeyValue {
  return Object.freeze({ key, value, createRevision, modRevision });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first key >= `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first version above `revision`. */
function upperBoundRevision(versions: readonly Version[], revision: number): number {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (versions[mid]!.revision <= revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first event above `revision` in a revision-ordered log. */
function firstAfter(log: readonly WatchEvent[], revision: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]!.kv.modRevision <= revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
