// Per-container restart back-off as upstream's kubelet: the first restart is immediate, then
// 10 s doubling up to 5 min; an entry idle for twice the maximum is forgotten, so a container
// that ran fine for 10 minutes starts over at 10 s.
export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry {
  delayMs: number;
  /** When the current back-off period started (the restart time). */
  at: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly initialMs = INITIAL_BACKOFF_MS, private readonly maxMs = MAX_BACKOFF_MS) {}

  /**
   * True while a restart of `key` must wait: the container finished (at `finishedAt`) within
   * the current back-off period.
   */
  inBackoffSince(key: string, finishedAt: number, now = Date.now()): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    if (now - e.at > 2 * this.maxMs) {
      this.entries.delete(key);
      return false;
    }
    return finishedAt - e.at < e.delayMs && now - e.at < e.delayMs;
  }

  /** Records a restart now; returns the back-off that now applies. */
  next(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    const delayMs = !e || now - e.at > 2 * this.maxMs ? this.initialMs : Math.min(e.delayMs * 2, this.maxMs);
    this.entries.set(key, { delayMs, at: now });
    return delayMs;
  }

  /** Milliseconds left of key's back-off (0 when none). */
  remaining(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.at + e.delayMs - now) : 0;
  }

  /** The current back-off delay of key (for messages), or the initial delay. */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? this.initialMs;
  }

  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
