// k3s's scheduled etcd snapshots: while the server runs an embedded etcd member it takes a
// snapshot at each activation of --etcd-snapshot-schedule-cron (default every 12 hours, in the
// host's time zone as k3s's cron does), named etcd-snapshot-<node>-<unix time>, and then deletes
// the oldest scheduled ones beyond --etcd-snapshot-retention (on-demand snapshots are the
// operator's to prune). A failed snapshot is logged and the schedule goes on.
import type { Schedule } from '../../controllers/cronjob/cron-schedule.js';
import type { Logger } from '../../util/log.js';
import { sleep } from '../../util/sleep.js';
import { pruneSnapshots, saveSnapshot, SCHEDULED_NAME } from './etcd-snapshots.js';
import type { SavedSnapshot } from './etcd-snapshots.js';

export interface SnapshotScheduleOptions {
  serverDir: string;
  schedule: Schedule;
  /** The cron text, for the log. */
  cron: string;
  retention: number;
  log: Logger;
  signal: AbortSignal;
  /** For tests: the clock, and what a snapshot is. */
  now?: () => number;
  save?: (serverDir: string, o: { name: string; signal: AbortSignal }) => Promise<SavedSnapshot>;
  prune?: (serverDir: string, name: string, retention: number) => Promise<string[]>;
}

/** Runs the schedule until the signal aborts; settles once stopped (a snapshot under way is cancelled). */
export async function runSnapshotSchedule(o: SnapshotScheduleOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const save = o.save ?? saveSnapshot;
  const prune = o.prune ?? pruneSnapshots;
  let next = o.schedule.next(now());
  o.log.info(`etcd snapshots: scheduled "${o.cron}", keeping ${o.retention}; next at ${next === undefined ? 'never' : new Date(next).toISOString()}`);
  while (next !== undefined && !o.signal.aborted) {
    // Timers are not exact, and a long wait is better re-measured (the host may have slept).
    while (now() < next && !o.signal.aborted) await sleep(Math.min(next - now(), 60_000), o.signal);
    if (o.signal.aborted) break;
    try {
      const s = await save(o.serverDir, { name: SCHEDULED_NAME, signal: o.signal });
      const pruned = await prune(o.serverDir, SCHEDULED_NAME, o.retention);
      o.log.info(`etcd snapshot ${s.name}: revision ${s.revision}, ${s.bytes} bytes, ${Math.round(s.ms)} ms, ${s.path}${pruned.length ? `; pruned ${pruned.length} beyond the newest ${o.retention}` : ''}`);
    } catch (e) {
      if (!o.signal.aborted) o.log.error(`etcd snapshot failed: ${(e as Error).message}`);
    }
    next = o.schedule.next(Math.max(now(), next));
  }
}
