// Group commit: writes submitted in the same event-loop turn are committed together in one
// transaction (one fsync), and each caller is answered only after that commit. This is what lets
// SQLite with synchronous=FULL take thousands of acknowledged writes per second.

/** What a batch commit returns for one write: its result or its own (expected) error. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<Op, R> {
  op: Op;
  resolve(value: R): void;
  reject(err: unknown): void;
}

export class GroupCommit<Op, R> {
  private queue: Pending<Op, R>[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  /**
   * `commit` applies a batch atomically and returns one outcome per op, in order. If it throws, the
   * whole batch failed (nothing was committed) and every caller gets that error. `maxBatch` bounds
   * how long one transaction holds the event loop; the rest waits for the next turn.
   */
  constructor(
    private readonly commit: (ops: Op[]) => Outcome<R>[],
    private readonly maxBatch = 2000,
  ) {}

  submit(op: Op): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.schedule();
    });
  }

  /** Commits everything queued now (used on close, so queued writes are not lost). */
  drain(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    while (this.queue.length > 0) this.commitOne();
  }

  private schedule(): void {
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.commitOne();
      if (this.queue.length > 0) this.schedule();
    });
  }

  private commitOne(): void {
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
    let outcomes: Outcome<R>[];
    try {
      outcomes = this.commit(batch.map((p) => p.op));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  }
}
