// One storage watch for the whole registry, fanned out in memory to every API watcher.
// Events are decoded once and kept in a bounded ring so watchers can resume from a recent
// resourceVersion without touching storage; older resourceVersions get 410 Expired, as upstream's
// watch cache answers, and clients relist.
import type { Backend, WatchEvent } from '../storage/backend.js';
import { CompactedError } from '../storage/backend.js';
import { sleep } from '../util/sleep.js';
import type { KObject } from '../api/types.js';
import { REGISTRY_PREFIX } from './registry/keys.js';

export interface CachedEvent {
  type: 'put' | 'delete';
  key: string;
  revision: number;
  /** Revision at which the key was created (0 when storage did not say). */
  createRevision: number;
  /** The stored text of the object (for a delete: its last value). */
  text: string;
  created: boolean;
  /** Characters of stored text the ring holds for the event (its value, and its previous value unless an older event's text). */
  size: number;
  /** The newer event whose previous value is this event's text (the ring keeps one copy). */
  sharedBy?: CachedEvent;
  /** Decoded lazily, shared by all watchers (read-only). */
  object(): KObject;
  prevObject(): KObject | undefined;
  /** Encoded watch lines shared by watchers (key: group/version/type). */
  encoded?: Map<string, string>;
  /** Drops the decoded and encoded forms (kept only while the event is fanned out). */
  release(): void;
}

/** What a read of one key needs: the stored text and its revision. */
export interface StoredValue {
  value: string;
  modRevision: number;
}

export type Subscriber = (events: CachedEvent[]) => void;

interface Subscription {
  prefix: string;
  fn: Subscriber;
  onReset?: () => void;
}

/** Where the ring starts over from the array's head once this many events have left it. */
const RING_COMPACT_AT = 4096;

export class WatchCache {
  /** The ring: events from index `head` on, oldest first (their revisions increase). */
  private ring: CachedEvent[] = [];
  private head = 0;
  /** The newest ring event of each key in the ring. */
  private readonly newest = new Map<string, CachedEvent>();
  /** Stored text held by the ring (sum of its events' sizes). */
  private ringChars = 0;
  private subscribers = new Set<Subscription>();
  /**
   * The subscriptions by prefix, for prefixes that end in '/' (every registry prefix): an event
   * reaches those under each '/'-ended prefix of its key, without testing every subscription.
   */
  private readonly byPrefix = new Map<string, Set<Subscription>>();
  /** Subscriptions to other prefixes (tested one by one). */
  private readonly otherPrefixes = new Set<Subscription>();
  /** Revision of the last event under each tracked prefix (see Store.listCached). */
  private readonly changed = new Map<string, number>();
  /**
   * Objects writes on this server are storing, by key, with the text they store: the event of that
   * write takes the object instead of parsing the text (the write path already has it decoded).
   */
  private readonly offered = new Map<string, { value: string; obj: KObject }>();
  /** Events strictly after this revision are all in the ring. */
  private startRevision = 0;
  private lastRevision = 0;

  /**
   * The ring keeps at most `capacity` events and `maxChars` characters of their stored text
   * (32 Mi by default: with large objects such as pods with managedFields, 20,000 events would
   * otherwise hold a few hundred MB; updates share their previous value's text with the key's
   * last event, so that is ~10,000 pod updates); older resourceVersions are served from storage's
   * history.
   */
  constructor(
    private readonly backend: Backend,
    private readonly capacity = 20000,
    private readonly maxChars = 32 * 2 ** 20,
    private readonly onError?: (msg: string) => void,
  ) {}

  async start(signal: AbortSignal): Promise<void> {
    const rev = await this.backend.currentRevision();
    this.startRevision = rev;
    this.lastRevision = rev;
    void this.follow(signal);
  }

  /**
   * Follows storage for as long as the server runs. A storage watch that ends (an etcd stream
   * that gave up, a partition) is resumed from the last revision seen; when storage no longer has
   * that history, the events in between are lost to the cache, so it starts over at the current
   * revision and tells every subscriber (API watches end and their clients relist, since their
   * resourceVersions are now older than the cache holds; internal followers list again).
   */
  private async follow(signal: AbortSignal): Promise<void> {
    let backoff = 100;
    while (!signal.aborted) {
      try {
        await this.backend.watch(REGISTRY_PREFIX, this.lastRevision, (evs) => this.onEvents(evs), signal);
        backoff = 100;
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof CompactedError) {
          await this.reset(signal);
          continue;
        }
        this.onError?.(`storage watch ended: ${(e as Error).message}; resuming from revision ${this.lastRevision}`);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async reset(signal: AbortSignal): Promise<void> {
    let rev: number;
    for (;;) {
      try {
        rev = await this.backend.currentRevision();
        break;
      } catch (e) {
        if (signal.aborted) return;
        this.onError?.(`storage watch: reading the current revision: ${(e as Error).message}`);
        await sleep(1000, signal);
      }
    }
    this.onError?.(`storage history after revision ${this.lastRevision} is gone (compacted); the watch cache starts over at revision ${rev} and every watcher relists`);
    for (let i = this.head; i < this.ring.length; i++) this.ring[i]!.release();
    this.ring = [];
    this.head = 0;
    this.ringChars = 0;
    this.newest.clear();
    this.startRevision = rev;
    this.lastRevision = rev;
    for (const p of this.changed.keys()) this.changed.set(p, rev);
    for (const sub of [...this.subscribers]) {
      try {
        sub.onReset?.();
      } catch {
        // A subscriber's failure must not stop the others from hearing of the reset.
      }
    }
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

  /**
   * The current value of `key` if the cache can tell: it has seen every write up to
   * `storageRevision` (the backend's published revision) and still holds the key's last event.
   * null: the key was deleted; undefined: unknown here (read storage).
   */
  latest(key: string, storageRevision: number): StoredValue | null | undefined {
    if (this.lastRevision !== storageRevision) return undefined;
    const e = this.newest.get(key);
    if (!e) return undefined;
    return e.type === 'delete' ? null : { value: e.text, modRevision: e.revision };
  }

  /**
   * A write is about to store `obj` as `value` under `key`. Its event uses `obj` (read-only from
   * then on for the fan-out; the writer may only stamp its resourceVersion) when the stored text is
   * this very value. Other events for the key drop the offer; a failed write withdraws it.
   */
  offer(key: string, value: string, obj: KObject): void {
    this.offered.set(key, { value, obj });
  }

  withdraw(key: string, value: string): void {
    if (this.offered.get(key)?.value === value) this.offered.delete(key);
  }

  /** Waits until the cache has seen `rev` (writes are visible to watchers right after they return). */
  async waitFor(rev: number, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastRevision < rev && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  }

  private onEvents(evs: WatchEvent[]): void {
    const batch: CachedEvent[] = [];
    for (const ev of evs) {
      // An update's previous value is usually the value of the key's last event in the ring: keep
      // one copy of that text, not two (the ring then holds about twice the events per character).
      const last = this.newest.get(ev.kv.key);
      const shared = last && ev.prevKv && last.revision === ev.prevKv.modRevision && last.text === ev.prevKv.value ? last.text : undefined;
      const offer = this.offered.size ? this.offered.get(ev.kv.key) : undefined;
      if (offer) this.offered.delete(ev.kv.key);
      const e = toCached(ev, shared, offer && ev.type === 'put' && offer.value === ev.kv.value ? offer.obj : undefined);
      if (shared !== undefined) last!.sharedBy = e;
      batch.push(e);
      this.newest.set(e.key, e);
      this.ring.push(e);
      this.ringChars += e.size;
      this.lastRevision = e.revision;
      for (const p of this.changed.keys()) if (e.key.startsWith(p)) this.changed.set(p, e.revision);
    }
    // Events leave from the head; the array is cut only once many have (not on every batch).
    const size = this.ring.length - this.head;
    let drop = Math.max(0, size - this.capacity);
    for (let i = 0; i < drop; i++) this.forget(this.ring[this.head + i]!);
    while (this.ringChars > this.maxChars && drop < size - 1) this.forget(this.ring[this.head + drop++]!);
    if (drop > 0) {
      this.startRevision = this.ring[this.head + drop - 1]!.revision;
      for (let i = this.head; i < this.head + drop; i++) this.ring[i] = undefined!;
      this.head += drop;
      if (this.head >= RING_COMPACT_AT && this.head * 2 >= this.ring.length) {
        this.ring = this.ring.slice(this.head);
        this.head = 0;
      }
    }
    this.deliver(batch);
    // The ring keeps only the stored text; a watcher resuming from it decodes again. Keeps memory
    // flat under churn (objects are several times larger decoded than as JSON text).
    for (const e of batch) e.release();
  }

  /** Hands each subscription the events of `batch` under its prefix, in order. */
  private deliver(batch: CachedEvent[]): void {
    const per = new Map<Subscription, CachedEvent[]>();
    const add = (sub: Subscription, e: CachedEvent) => {
      const list = per.get(sub);
      if (list) list.push(e);
      else per.set(sub, [e]);
    };
    for (const e of batch) {
      if (this.byPrefix.size) {
        for (let i = e.key.indexOf('/'); i >= 0; i = e.key.indexOf('/', i + 1)) {
          const subs = this.byPrefix.get(e.key.slice(0, i + 1));
          if (subs) for (const sub of subs) add(sub, e);
        }
      }
      for (const sub of this.otherPrefixes) if (e.key.startsWith(sub.prefix)) add(sub, e);
    }
    for (const [sub, events] of per) {
      // One that unsubscribed while an earlier one was handed its events hears nothing more.
      if (this.subscribers.has(sub)) sub.fn(events);
    }
  }

  /** Accounts for an event leaving the ring; a text a newer event shares stays counted, as that event's. */
  private forget(gone: CachedEvent): void {
    this.ringChars -= gone.size;
    if (this.newest.get(gone.key) === gone) this.newest.delete(gone.key);
    if (gone.sharedBy) {
      gone.sharedBy.size += gone.text.length;
      this.ringChars += gone.text.length;
    }
  }

  /**
   * Subscribes to events under `prefix` after `fromRevision`. Returns undefined when that revision
   * is older than the cache holds (the caller answers 410 Expired).
   */
  subscribe(prefix: string, fromRevision: number, fn: Subscriber, onReset?: () => void): { replay: CachedEvent[]; cancel: () => void } | undefined {
    if (fromRevision < this.startRevision) return undefined;
    const replay: CachedEvent[] = [];
    for (let i = this.firstAfter(fromRevision); i < this.ring.length; i++) {
      const e = this.ring[i]!;
      if (e.key.startsWith(prefix)) replay.push(e);
    }
    const sub: Subscription = { prefix, fn, onReset };
    this.subscribers.add(sub);
    if (prefix.endsWith('/')) {
      let subs = this.byPrefix.get(prefix);
      if (!subs) this.byPrefix.set(prefix, (subs = new Set()));
      subs.add(sub);
    } else {
      this.otherPrefixes.add(sub);
    }
    const cancel = () => {
      this.subscribers.delete(sub);
      this.otherPrefixes.delete(sub);
      const subs = this.byPrefix.get(prefix);
      if (subs?.delete(sub) && subs.size === 0) this.byPrefix.delete(prefix);
    };
    return { replay, cancel };
  }

  /** The index of the ring's first event after `revision` (binary search: revisions increase). */
  private firstAfter(revision: number): number {
    let lo = this.head;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ring[mid]!.revision > revision) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * For a resourceVersion older than the ring: a dedicated storage watch that replays history from
   * storage and then continues live. Rejects with CompactedError when storage no longer has it.
   */
  async subscribeFromStorage(prefix: string, fromRevision: number, fn: Subscriber, signal: AbortSignal, onLateError?: (e: unknown) => void): Promise<void> {
    let settled = false;
    let ready!: () => void;
    let failed!: (e: unknown) => void;
    const started = new Promise<void>((res, rej) => {
      ready = () => {
        settled = true;
        res();
      };
      failed = rej;
    });
    const running = this.backend.watch(prefix, fromRevision, (evs) => fn(evs.map((e) => toCached(e))), signal);
    running.then(ready, (e: unknown) => (settled ? onLateError?.(e) : failed(e)));
    // SQLite and memory reject at once for a compacted revision; etcd says so after a round trip,
    // which can come after this (then onLateError hears of it).
    setTimeout(ready, 50);
    return started;
  }

  get oldestRevision(): number {
    return this.startRevision;
  }
}

/**
 * A storage event as the cache keeps it: the stored texts and revisions only (the storage event is
 * not retained). `sharedPrev`: the same text as the event's previous value, already held by the ring.
 */
function toCached(e: WatchEvent, sharedPrev?: string, decoded?: KObject): CachedEvent {
  const text = e.kv.value;
  const revision = e.kv.modRevision;
  const prevText = sharedPrev ?? e.prevKv?.value;
  const prevRevision = e.prevKv?.modRevision ?? 0;
  let obj: KObject | undefined;
  let prev: KObject | undefined | null = null;
  return {
    type: e.type,
    key: e.kv.key,
    revision,
    createRevision: e.kv.createRevision ?? 0,
    text,
    created: e.type === 'put' && (e.created ?? !e.prevKv),
    size: text.length + (sharedPrev === undefined ? (prevText?.length ?? 0) : 0),
    object() {
      if (!obj) {
        if (decoded) {
          obj = decoded;
          obj.metadata.resourceVersion = String(revision);
          decoded = undefined;
        } else obj = decodeStored(text, revision);
      }
      return obj;
    },
    prevObject() {
      if (prev === null) prev = prevText !== undefined ? decodeStored(prevText, prevRevision) : undefined;
      return prev;
    },
    release() {
      obj = undefined;
      decoded = undefined;
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
