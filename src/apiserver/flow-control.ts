// Fair queuing of requests by user, in the spirit of upstream's API Priority and Fairness: at most
// `limit` requests execute at once; the rest wait in one queue per user (the flow), served round
// robin, so a client with hundreds of requests in flight (a node agent's workers, a scheduler's
// bindings) cannot make a client with one request (a controller's first slow-start batch) wait
// behind all of them. Watches and other long-running requests are not queued (they would hold a
// seat for their whole life), and neither is system:masters (upstream's exempt level).

export class FairQueue {
  private executing = 0;
  /** Waiting requests per flow; Map order is the round-robin order. */
  private readonly flows = new Map<string, (() => void)[]>();
  private waitingCount = 0;

  constructor(readonly limit: number) {}

  /** Requests waiting for a seat. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** Resolves when the request may run; call the returned release() exactly once when it is done. */
  async acquire(flow: string): Promise<() => void> {
    if (this.executing < this.limit && this.waitingCount === 0) {
      this.executing++;
      return this.releaser();
    }
    await new Promise<void>((resolve) => {
      let q = this.flows.get(flow);
      if (!q) this.flows.set(flow, (q = []));
      q.push(resolve);
      this.waitingCount++;
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.executing--;
      this.dispatch();
    };
  }

  /** Gives free seats to the next flows in turn (each flow moves to the back once served). */
  private dispatch(): void {
    while (this.executing < this.limit && this.waitingCount > 0) {
      const [flow, q] = this.flows.entries().next().value as [string, (() => void)[]];
      const next = q.shift()!;
      this.flows.delete(flow);
      if (q.length) this.flows.set(flow, q);
      this.waitingCount--;
      this.executing++;
      next();
    }
  }
}
