// The reconcile loop every controller uses: handlers enqueue keys; workers take keys and call a
// level-triggered, idempotent reconcile(key) that reads the world fresh from informer caches.
// Success forgets the key; an error requeues with backoff; TerminalError stops retrying;
// a `requeueAfter` result schedules time-based work.
import type { Logger } from '../util/log.js';
import { WorkQueue } from './workqueue.js';

export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

/** An error that retrying will not fix (bad input); logged once, not requeued. */
export class TerminalError extends Error {}

export interface ControllerOptions {
  name: string;
  workers?: number;
  log: Logger;
  queue?: WorkQueue;
}

export class Controller {
  readonly queue: WorkQueue;
  /** Reconciles done, for benchmarks and metrics. */
  reconciles = 0;

  constructor(
    private readonly opts: ControllerOptions,
    private readonly reconcile: Reconcile,
  ) {
    this.queue = opts.queue ?? new WorkQueue();
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Runs the workers until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.shutdown();
    signal.addEventListener('abort', stop, { once: true });
    const worker = async () => {
      for (;;) {
        const key = await this.queue.get();
        if (key === undefined) return;
        try {
          const r = await this.reconcile(key);
          this.reconciles++;
          this.queue.forget(key);
          if (r && r.requeueAfterMs !== undefined) this.queue.addAfter(key, r.requeueAfterMs);
        } catch (e) {
          if (signal.aborted) return;
          if (e instanceof TerminalError) {
            this.opts.log.warn(`${this.opts.name}: ${key}: ${e.message} (not retrying)`);
            this.queue.forget(key);
          } else {
            const n = this.queue.numRequeues(key);
            if (n < 3 || n % 10 === 0) this.opts.log.debug(`${this.opts.name}: ${key}: ${(e as Error).message} (retry ${n + 1})`);
            this.queue.addRateLimited(key);
          }
        } finally {
          this.queue.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: this.opts.workers ?? 2 }, worker));
    signal.removeEventListener('abort', stop);
  }
}
