// Background compaction shared by the backends: every interval, drop history older than the newest
// `keepRevisions` revisions, so churn (lease renewals, status updates) cannot grow the store without
// bound. Runs never overlap (a timeout is re-armed after each run) and the timer is unref'd, so a
// forgotten close() cannot keep a process alive.
import type { Backend } from './backend.js';

export const DEFAULT_COMPACT_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_KEEP_REVISIONS = 1000;

export interface CompactorOptions {
  /** Milliseconds between runs; 0 or less disables background compaction. */
  intervalMs?: number;
  /** Revisions of history kept behind the current one. */
  keepRevisions?: number;
  onError(err: unknown): void;
}

export interface Compactor {
  /** Runs one compaction now (also what each tick does). */
  runOnce(): Promise<void>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startCompactor(backend: Pick<Backend, 'currentRevision' | 'compactRevision' | 'compact'>, opts: CompactorOptions): Compactor {
  const keep = Math.max(0, opts.keepRevisions ?? DEFAULT_KEEP_REVISIONS);
  return runPeriodically(async () => {
    const target = (await backend.currentRevision()) - keep;
    if (target > (await backend.compactRevision())) await backend.compact(target);
  }, opts.intervalMs ?? DEFAULT_COMPACT_INTERVAL_MS, opts.onError);
}

/**
 * Runs `run` every `intervalMs` (0 or less: only when runOnce is called), never two at once: the
 * timer is re-armed after each run and unref'd. Errors of timed runs go to `onError`.
 */
export function runPeriodically(run: () => Promise<void>, intervalMs: number, onError: (err: unknown) => void): Compactor {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const runOnce = (): Promise<void> => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };

  const arm = (): void => {
    if (stopped || intervalMs <= 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      runOnce()
        .catch((err: unknown) => {
          if (!stopped) onError(err);
        })
        .finally(arm);
    }, intervalMs);
    timer.unref();
  };
  arm();

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => {});
    },
  };
}
