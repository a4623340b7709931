// One storage watch for the whole registry, fanned out in memory to every API watcher.
// Events are decoded once and kept in a bounded ring so watchers can resume from a recent
// resourceVersion without touching storage; older resourceVersions get 410 Expired, as upstream's
// watch cache answers, and clients relist.
import type { Backend, WatchEvent } from '../storage/backend.js';
import type { KObject } from '../api/types.js';
import { REGISTRY_PREFIX } from './registry/keys.js';

export interface CachedEvent {
  type: 'put' | 'delete';
  key: string;
  revision: number;
  created: boolean;
  /** Characters of stored text the event keeps (its value and previous value). */
  size: number;
  /** Decoded lazily, shared by all watchers (read-only). */
  object(): KObject;
  prevObject(): KObject | undefined;
  /** Encoded watch lines shared by watchers (key: group/version/type). */
  encoded?: Map<string, string>;
  /** Drops the decoded and encoded forms (kept only while the event is fanned out). */
  release(): void;
}

export type Subscriber = (events: CachedEvent[]) => void;

export class WatchCache {
  private ring: CachedEvent[] = [];
  /** Stored text held by the ring (sum of its events' sizes). */
  private ringChars = 0;
  private subscribers = new Set<{ prefix: string; fn: Subscriber }>();
  /** Revision of the last event under each tracked prefix (see Store.listCached). */
  private readonly changed = new Map<string, number>();
  /** Events strictly after this revision are all in the ring. */
  private startRevision = 0;
  private lastRevision = 0;

  /**
   * The ring keeps at most `capacity` events and `maxChars` characters of their stored text
   * (64 Mi by default: with large objects such as pods with managedFields, 20,000 events would
   * otherwise hold a few hundred MB); older resourceVersions are served from storage's history.
   */
  constructor(
    private readonly backend: Backend,
    private readonly capacity = 20000,
    private readonly maxChars = 64 * 2 ** 20,
  ) {}

  async start(signal: AbortSignal): Promise<void> {
    const rev = await this.backend.currentRevision();
    this.startRevision = rev;
    this.lastRevision = rev;
    const running = this.backend.watch(REGISTRY_PREFIX, rev, (evs) => this.onEvents(evs), signal);
    running.catch(() => {});
  }

  track(prefix: string): void {
    if (!this.changed.has(prefix)) this.changed.set(prefix, 0);
  }

  lastChange(prefix: string): number {
    return this.changed.get(prefix) ?? -1;
  }

  /** The newest revision the cache has seen. */
  get revision(): number {
    return this.lastRevision;
  }

  /** Waits until the cache has seen `rev` (writes are visible to watchers right after they return). */
  async waitFor(rev: number, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastRevision < rev && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  }

  private onEvents(evs: WatchEvent[]): void {
    const batch: CachedEvent[] = evs.map(toCached);
    for (const e of batch) {
      this.ring.push(e);
      this.ringChars += e.size;
      this.lastRevision = e.revision;
      for (const p of this.changed.keys()) if (e.key.startsWith(p)) this.changed.set(p, e.revision);
    }
    let drop = Math.max(0, this.ring.length - this.capacity);
    for (let i = 0; i < drop; i++) this.ringChars -= this.ring[i]!.size;
    while (this.ringChars > this.maxChars && drop < this.ring.length - 1) this.ringChars -= this.ring[drop++]!.size;
    if (drop > 0) {
      this.startRevision = this.ring[drop - 1]!.revision;
      this.ring.splice(0, drop);
    }
    for (const s of this.subscribers) {
      const mine = batch.filter((e) => e.key.startsWith(s.prefix));
      if (mine.length) s.fn(mine);
    }
    // The ring keeps only the stored text; a watcher resuming from it decodes again. Keeps memory
    // flat under churn (objects are several times larger decoded than as JSON text).
    for (const e of batch) e.release();
  }

  /**
   * Subscribes to events under `prefix` after `fromRevision`. Returns undefined when that revision
   * is older than the cache holds (the caller answers 410 Expired).
   */
  subscribe(prefix: string, fromRevision: number, fn: Subscriber): { replay: CachedEvent[]; cancel: () => void } | undefined {
    if (fromRevision < this.startRevision) return undefined;
    const replay = this.ring.filter((e) => e.revision > fromRevision && e.key.startsWith(prefix));
    const sub = { prefix, fn };
    this.subscribers.add(sub);
    return { replay, cancel: () => this.subscribers.delete(sub) };
  }

  /**
   * For a resourceVersion older than the ring: a dedicated storage watch that replays history from
   * storage and then continues live. Rejects with CompactedError when storage no longer has it.
   */
  async subscribeFromStorage(prefix: string, fromRevision: number, fn: Subscriber, signal: AbortSignal): Promise<void> {
    let ready!: () => void;
    let failed!: (e: unknown) => void;
    const started = new Promise<void>((res, rej) => {
      ready = res;
      failed = rej;
    });
    const running = this.backend.watch(prefix, fromRevision, (evs) => fn(evs.map(toCached)), signal);
    running.then(ready, failed);
    // The backend rejects at once for a compacted revision; otherwise the watch is running.
    setTimeout(ready, 50);
    return started;
  }

  get oldestRevision(): number {
    return this.startRevision;
  }
}

function toCached(e: WatchEvent): CachedEvent {
  let obj: KObject | undefined;
  let prev: KObject | undefined | null = null;
  return {
    type: e.type,
    key: e.kv.key,
    revision: e.kv.modRevision,
    created: e.type === 'put' && (e.created ?? !e.prevKv),
    size: e.kv.value.length + (e.prevKv?.value.length ?? 0),
    object() {
      if (!obj) obj = decodeStored(e.kv.value, e.kv.modRevision);
      return obj;
    },
    prevObject() {
      if (prev === null) prev = e.prevKv ? decodeStored(e.prevKv.value, e.prevKv.modRevision) : undefined;
      return prev;
    },
    release() {
      obj = undefined;
      prev = null;
      this.encoded = undefined;
    },
  };
}

/** Parses a stored object and stamps its resourceVersion. */
export function decodeStored(value: string, revision: number): KObject {
  const o = JSON.parse(value) as KObject;
  o.metadata ??= {};
  o.metadata.resourceVersion = String(revision);
  return o;
}
