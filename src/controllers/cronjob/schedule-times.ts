// When a CronJob should have run (upstream cronjob/utils.go): the most recent unmet schedule time
// since lastScheduleTime (or creation), bounded by startingDeadlineSeconds; how many were missed
// (more than 100 is reported as TooManyMissedTimes); and how long until the next one (plus the
// 100 ms upstream adds against clock skew).
import type { Schedule } from './cron-schedule.js';

export interface CronJobTimes {
  creationTimestamp?: string;
  lastScheduleTime?: string;
  startingDeadlineSeconds?: number | null;
}

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  earliest: number;
  /** The latest schedule time in (earliest, now], if any. */
  mostRecent?: number;
  missed: Missed;
  error?: string;
}

const NEXT_SCHEDULE_DELTA_MS = 100;

export function mostRecentScheduleTime(cj: CronJobTimes, now: number, sched: Schedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = Date.parse(cj.lastScheduleTime ?? cj.creationTimestamp ?? '') || now;
  if (includeStartingDeadline && cj.startingDeadlineSeconds != null) {
    // Nothing older than the deadline will be started anyway.
    earliest = Math.max(earliest, now - cj.startingDeadlineSeconds * 1000);
  }
  const t1 = sched.next(earliest);
  const t2 = t1 === undefined ? undefined : sched.next(t1);
  if (t1 !== undefined && now < t1) return { earliest, missed: 'none' };
  if (t1 !== undefined && t2 !== undefined && now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  // A grammatically valid schedule that never fires (e.g. February 31st).
  const between = t1 === undefined || t2 === undefined ? 0 : Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  // Estimate the number missed from the interval, then walk from just before the estimate so
  // irregular schedules (e.g. `30 6-16/4 * * 1-5`) land on the right time.
  const elapsed = Math.floor((now - t1!) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  let mostRecent: number | undefined;
  const from = t1! + (missedCount - 2) * between * 1000;
  for (let t = sched.next(from); t !== undefined && t <= now; t = sched.next(t)) mostRecent = t;
  const missed: Missed = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** Milliseconds until the next schedule time after the most recent one (for requeueing). */
export function nextScheduleDelayMs(cj: CronJobTimes, now: number, sched: Schedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, sched, false);
  const base = r.error ? now : (r.mostRecent ?? r.earliest);
  const next = sched.next(base);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}
