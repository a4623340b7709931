// A work queue of keys as client-go's: a key is queued at most once, never processed by two
// workers at once (a key added while in flight is processed again afterwards), with per-item
// exponential backoff for failures and delayed adds for time-based work.

export interface WorkQueueOptions {
  /** First retry delay after a failure (doubles per failure). Default 5 ms, as upstream. */
  baseDelayMs?: number;
  /** Cap of the retry delay. Default 1000 s, as upstream. */
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; at: number }>();
  private waiters: (() => void)[] = [];
  private shutDown = false;
  private readonly base: number;
  private readonly max: number;

  constructor(opts: WorkQueueOptions = {}) {
    this.base = opts.baseDelayMs ?? 5;
    this.max = opts.maxDelayMs ?? 1_000_000;
  }

  get length(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.shutDown) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    const w = this.waiters.shift();
    w?.();
  }

  /** Adds the key after `ms`; of several pending delayed adds of one key, the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shutDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending) {
      if (pending.at <= at) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.timers.set(key, { timer, at });
  }

  /** Re-adds after a failure with exponential backoff per key. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.max, this.base * 2 ** n));
  }

  /** Clears a key's failure count (after a successful reconcile). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Waits for the next key; undefined once shut down. */
  async get(): Promise<string | undefined> {
    while (!this.shutDown && this.queue.length === 0) await new Promise<void>((r) => this.waiters.push(r));
    if (this.shutDown) return undefined;
    const key = this.queue.shift()!;
    this.queued.delete(key);
    this.processing.add(key);
    return key;
  }

  /** Marks a key's processing finished; re-queues it if it was added meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirtyWhileProcessing.delete(key)) this.add(key);
  }

  shutdown(): void {
    this.shutDown = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w();
  }
}
