// The in-memory fan-out of committed events to watchers, plus a bounded ring of recent events so a
// watch starting from a recent revision needs no storage read. Backends publish each commit's
// events once; watchers never poll storage. Delivery is batched per watcher: everything published
// in one synchronous run reaches a watcher as one onEvents call, on a microtask.
import type { WatchEvent } from './backend.js';

type OnEvents = (events: WatchEvent[]) => void;

interface Watcher {
  readonly prefix: string;
  /** Events at or below this revision are not for this watcher (already replayed or before its start). */
  readonly after: number;
  readonly onEvents: OnEvents;
  pending: WatchEvent[];
  scheduled: boolean;
  done: boolean;
  finish(err?: unknown): void;
}

export class WatchHub {
  /** Watchers grouped by prefix: Kubernetes watches share few prefixes, so matching is per prefix. */
  private readonly byPrefix = new Map<string, Set<Watcher>>();
  private readonly ring: (WatchEvent | undefined)[];
  private head = 0;
  private size = 0;
  /** Every published event with a revision above the floor is still in the ring. */
  private floor: number;

  /** `revision`: the store's revision when the hub starts (nothing after it has been published). */
  constructor(revision: number, ringSize: number) {
    this.floor = revision;
    this.ring = new Array<WatchEvent | undefined>(Math.max(0, ringSize));
  }

  /** Number of live watchers (for tests and metrics). */
  get watcherCount(): number {
    let n = 0;
    for (const set of this.byPrefix.values()) n += set.size;
    return n;
  }

  /** Fans out committed events, which must come in revision order after everything published before. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    this.remember(events);
    for (const [prefix, watchers] of this.byPrefix) {
      const matched = prefix === '' ? events : events.filter((e) => e.kv.key.startsWith(prefix));
      if (matched.length === 0) continue;
      for (const w of watchers) this.enqueue(w, matched);
    }
  }

  /** Recent events after `after` under `prefix`, or undefined when the ring no longer reaches back that far. */
  recent(prefix: string, after: number): WatchEvent[] | undefined {
    if (after < this.floor) return undefined;
    const out: WatchEvent[] = [];
    const cap = this.ring.length;
    for (let i = 0; i < this.size; i++) {
      const e = this.ring[(this.head + i) % cap]!;
      if (e.kv.modRevision > after && e.kv.key.startsWith(prefix)) out.push(e);
    }
    return out;
  }

  /**
   * Registers a watcher that first receives `backlog` (events up to the last published revision),
   * then every later published event under `prefix`. Resolves when `signal` aborts or the hub
   * closes; rejects with whatever `onEvents` throws.
   */
  subscribe(prefix: string, after: number, backlog: readonly WatchEvent[], onEvents: OnEvents, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return resolve();
      const onAbort = (): void => w.finish();
      const w: Watcher = {
        prefix,
        after,
        onEvents,
        pending: [],
        scheduled: false,
        done: false,
        finish: (err?: unknown) => {
          if (w.done) return;
          w.done = true;
          w.pending = [];
          signal.removeEventListener('abort', onAbort);
          const set = this.byPrefix.get(prefix);
          set?.delete(w);
          if (set?.size === 0) this.byPrefix.delete(prefix);
          if (err === undefined) resolve();
          else reject(err);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let set = this.byPrefix.get(prefix);
      if (!set) this.byPrefix.set(prefix, (set = new Set()));
      set.add(w);
      if (backlog.length > 0) this.enqueue(w, backlog);
    });
  }

  /** Ends every watch (their promises resolve). */
  close(): void {
    for (const set of [...this.byPrefix.values()]) for (const w of [...set]) w.finish();
    this.byPrefix.clear();
  }

  private remember(events: readonly WatchEvent[]): void {
    const cap = this.ring.length;
    if (cap === 0) {
      this.floor = events[events.length - 1]!.kv.modRevision;
      return;
    }
    for (const e of events) {
      if (this.size === cap) {
        this.floor = this.ring[this.head]!.kv.modRevision;
        this.ring[this.head] = e;
        this.head = (this.head + 1) % cap;
      } else {
        this.ring[(this.head + this.size) % cap] = e;
        this.size++;
      }
    }
  }

  private enqueue(w: Watcher, events: readonly WatchEvent[]): void {
    if (w.done) return;
    for (const e of events) if (e.kv.modRevision > w.after) w.pending.push(e);
    if (w.pending.length === 0 || w.scheduled) return;
    w.scheduled = true;
    queueMicrotask(() => this.deliver(w));
  }

  private deliver(w: Watcher): void {
    w.scheduled = false;
    if (w.done || w.pending.length === 0) return;
    const batch = w.pending;
    w.pending = [];
    try {
      w.onEvents(batch);
    } catch (err) {
      // A consumer that cannot take events ends its own watch; other watchers are unaffected.
      w.finish(err);
    }
  }
}
