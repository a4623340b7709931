// Time-based requeues for the batch controllers (Job backoff and deadlines, CronJob schedules, TTL
// expiry). client-go's delaying queue keeps the earliest pending time for a key; WorkQueue.addAfter
// keeps whichever came first, so a shorter delay asked for later would be lost. This keeps one
// timer per key at the earliest requested time and enqueues the key when it fires.

export class Wakeups {
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private stopped = false;

  constructor(
    private readonly enqueue: (key: string) => void,
    signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => {
      this.stopped = true;
      for (const t of this.timers.values()) clearTimeout(t.timer);
      this.timers.clear();
    }, { once: true });
  }

  /** Enqueues `key` after `ms`, unless an earlier wakeup is already pending. */
  after(key: string, ms: number): void {
    if (this.stopped) return;
    // setTimeout overflows past 24.8 days; waking up daily to recompute is cheap.
    ms = Math.min(Math.max(0, ms), 86_400_000);
    const at = Date.now() + ms;
    const cur = this.timers.get(key);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.enqueue(key);
    }, ms);
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }
}
