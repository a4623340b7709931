// Group commit: writes submitted in the same event-loop turn are committed together in one
// transaction (one fsync), and each caller is answered only after that commit. One group is in
// flight at a time; writes arriving meanwhile queue and form the next group, so groups grow with the
// load instead of the number of fsyncs. This is what lets SQLite with synchronous=FULL take
// thousands of acknowledged writes per second.

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
  /** The group being committed; settles (never rejects) when its callers have been answered. */
  private inFlight: Promise<void> | undefined;
  private idle: (() => void)[] = [];

  /**
   * `commit` applies a batch atomically and resolves to one outcome per op, in order. If it
   * rejects, the whole batch failed (nothing was committed) and every caller gets that error.
   * `maxBatch` bounds one transaction (and the messages carrying it); the rest waits its turn.
   */
  constructor(
    private readonly commit: (ops: Op[]) => Promise<Outcome<R>[]>,
    private readonly maxBatch = 2000,
  ) {}

  submit(op: Op): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far has been committed and answered (used on close). */
  drain(): Promise<void> {
    if (!this.inFlight && this.queue.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /**
   * Waits one event-loop turn before starting a group, so writes submitted in the same turn (one
   * Promise.all, several requests parsed together) share it. Never while a group is in flight:
   * its completion schedules the next one.
   */
  private schedule(): void {
    if (this.inFlight || this.scheduled || this.queue.length === 0) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.start();
    });
  }

  private start(): void {
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
    this.inFlight = this.run(batch).finally(() => {
      this.inFlight = undefined;
      if (this.queue.length > 0) return this.schedule();
      for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  private async run(batch: Pending<Op, R>[]): Promise<void> {
    let outcomes: Outcome<R>[];
    try {
      outcomes = await this.commit(batch.map((p) => p.op));
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
