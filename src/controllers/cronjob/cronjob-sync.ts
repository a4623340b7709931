// One CronJob sync, as upstream's cronjob controller v2 (syncCronJob, cleanupFinishedJobs): track
// the Jobs it owns in status.active, lastSuccessfulTime; delete finished Jobs beyond the history
// limits; and when a schedule time has come (and is not past startingDeadlineSeconds), apply the
// concurrencyPolicy and create the Job `<cronjob>-<minutes since epoch>`, whose deterministic name
// makes a retried create harmless. Returns whether status changed and when to look again.
import { StatusError } from '../../api/errors.js';
import type { KObject, ObjectMeta } from '../../api/types.js';
import { resourcePath } from '../../client/rest-client.js';
import type { RestClient } from '../../client/rest-client.js';
import type { EventRecorder } from '../../client/events.js';
import { finishedType, rfc3339 } from '../job/conditions.js';
import type { Job } from '../job/types.js';
import { parseSchedule } from './cron-schedule.js';
import type { Schedule } from './cron-schedule.js';
import { mostRecentScheduleTime, nextScheduleDelayMs } from './schedule-times.js';
import { isValidTimeZone, offsetAt, wallTime } from './zoned-time.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface ObjectReference {
  kind: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

export interface CronJob extends KObject {
  spec: {
    schedule: string;
    timeZone?: string | null;
    startingDeadlineSeconds?: number | null;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    jobTemplate: { metadata?: ObjectMeta; spec?: Record<string, unknown> };
    successfulJobsHistoryLimit?: number | null;
    failedJobsHistoryLimit?: number | null;
  };
  status?: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

export interface CronSyncDeps {
  client: RestClient;
  recorder: EventRecorder;
  now: () => number;
}

export interface CronSyncResult {
  updateStatus: boolean;
  requeueAfterMs?: number;
}

const jobsPath = (ns: string, name?: string): string => resourcePath('batch', 'v1', 'jobs', ns, name);
const isNotFound = (e: unknown): boolean => e instanceof StatusError && e.code === 404;

/** Go's time.Format(RFC1123Z) in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** Go's RFC 3339 of the instant in the zone: "2024-01-01T09:00:00+09:00" ("Z" at offset zero). */
function rfc3339In(ms: number, tz: string): string {
  const w = wallTime(ms, tz);
  const off = offsetAt(ms, tz) / 60_000;
  const p = (n: number, l = 2): string => String(Math.abs(n)).padStart(l, '0');
  const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${p(Math.trunc(off / 60))}:${p(off % 60)}`;
  return `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}:${p(w.second)}${zone}`;
}

function removeActive(cj: CronJob, uid: string | undefined): void {
  if (cj.status?.active) cj.status.active = cj.status.active.filter((r) => r.uid !== uid);
}

async function deleteJob(d: CronSyncDeps, cj: CronJob, job: Job): Promise<boolean> {
  try {
    await d.client.delete(jobsPath(job.metadata.namespace!, job.metadata.name), { propagationPolicy: 'Background' });
  } catch (e) {
    if (!isNotFound(e)) {
      d.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(e as Error).message}`);
      return false;
    }
  }
  removeActive(cj, job.metadata.uid);
  d.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
  return true;
}

/** Deletes the oldest finished Jobs (by start time, then name) beyond the history limits. */
export async function cleanupFinishedJobs(d: CronSyncDeps, cj: CronJob, jobs: Job[]): Promise<boolean> {
  let changed = false;
  const byStart = (a: Job, b: Job): number => {
    const sa = a.status?.startTime;
    const sb = b.status?.startTime;
    if (!sa !== !sb) return sa ? -1 : 1;
    if (sa !== sb) return Date.parse(sa!) - Date.parse(sb!);
    return a.metadata.name! < b.metadata.name! ? -1 : 1;
  };
  for (const [type, limit] of [['Complete', cj.spec.successfulJobsHistoryLimit], ['Failed', cj.spec.failedJobsHistoryLimit]] as const) {
    if (limit === undefined || limit === null) continue;
    const finished = jobs.filter((j) => finishedType(j) === type).sort(byStart);
    for (const j of finished.slice(0, Math.max(0, finished.length - limit))) if (await deleteJob(d, cj, j)) changed = true;
  }
  return changed;
}

function jobFromTemplate(cj: CronJob, scheduled: number, tz: string): KObject {
  const t = cj.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`,
      namespace: cj.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339In(scheduled, tz) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name!, uid: cj.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(t.spec ?? {}),
  };
}

/** Tracks owned Jobs in status; `cj` is a private copy that is changed in place. */
async function trackJobs(d: CronSyncDeps, cj: CronJob, jobs: Job[]): Promise<boolean> {
  let changed = false;
  const status = (cj.status ??= {});
  const active = (): ObjectReference[] => status.active ?? [];
  for (const j of jobs) {
    const inActive = active().some((r) => r.uid === j.metadata.uid);
    const finished = finishedType(j);
    if (!inActive && !finished) {
      // Maybe our own status write is not in the cache yet: check the live object first.
      const live = await d.client.get<CronJob>(resourcePath('batch', 'v1', 'cronjobs', cj.metadata.namespace, cj.metadata.name));
      if ((live.status?.active ?? []).some((r) => r.uid === j.metadata.uid)) {
        cj.metadata.resourceVersion = live.metadata.resourceVersion;
        status.active = live.status?.active;
        continue;
      }
      d.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
    } else if (inActive && finished) {
      removeActive(cj, j.metadata.uid);
      d.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${finished}`);
      changed = true;
    }
    if (finished === 'Complete' && j.status?.completionTime) {
      if (!status.lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(status.lastSuccessfulTime)) {
        status.lastSuccessfulTime = j.status.completionTime;
        changed = true;
      }
    }
  }
  const owned = new Set(jobs.map((j) => j.metadata.uid));
  for (const ref of [...active()]) {
    if (owned.has(ref.uid)) continue;
    // Not in the cache: ask the API before declaring it missing.
    try {
      await d.client.get(jobsPath(ref.namespace ?? cj.metadata.namespace!, ref.name));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      d.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      removeActive(cj, ref.uid);
      changed = true;
    }
  }
  return changed;
}

export async function syncCronJob(d: CronSyncDeps, cj: CronJob, jobs: Job[]): Promise<CronSyncResult> {
  let updateStatus = await trackJobs(d, cj, jobs);
  const done = (requeueAfterMs?: number): CronSyncResult => ({ updateStatus, requeueAfterMs });
  if (cj.metadata.deletionTimestamp) return done();
  const now = d.now();
  const tz = cj.spec.timeZone ?? undefined;
  if (tz !== undefined && !isValidTimeZone(tz)) {
    d.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
    return done();
  }
  if (cj.spec.suspend) return done();
  if (cj.spec.schedule.includes('TZ')) {
    d.recorder.event(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
  }
  let sched: Schedule;
  try {
    sched = parseSchedule(cj.spec.schedule, tz);
  } catch (e) {
    d.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${(e as Error).message}`);
    return done();
  }
  const times = { creationTimestamp: cj.metadata.creationTimestamp, lastScheduleTime: cj.status?.lastScheduleTime, startingDeadlineSeconds: cj.spec.startingDeadlineSeconds };
  const next = (): CronSyncResult => done(nextScheduleDelayMs(times, now, sched));
  const recent = mostRecentScheduleTime(times, now, sched, true);
  if (recent.error) {
    d.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${recent.error}`);
    return done();
  }
  const scheduled = recent.mostRecent;
  if (scheduled === undefined || scheduled > now) return next();
  if (recent.missed === 'many') {
    d.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
  }
  if (cj.spec.startingDeadlineSeconds != null && scheduled + cj.spec.startingDeadlineSeconds * 1000 < now) {
    d.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
    return next();
  }
  const template = jobFromTemplate(cj, scheduled, tz ?? 'UTC');
  const status = (cj.status ??= {});
  const already = (status.active ?? []).some((r) => r.name === template.metadata.name && (r.namespace ?? cj.metadata.namespace) === cj.metadata.namespace);
  if (already || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === scheduled)) return next();
  if (cj.spec.concurrencyPolicy === 'Forbid' && (status.active ?? []).length > 0) {
    d.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return next();
  }
  if (cj.spec.concurrencyPolicy === 'Replace') {
    for (const ref of [...(status.active ?? [])]) {
      let job: Job;
      try {
        job = await d.client.get<Job>(jobsPath(ref.namespace ?? cj.metadata.namespace!, ref.name));
      } catch (e) {
        d.recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${(e as Error).message}`);
        throw e;
      }
      if (!(await deleteJob(d, cj, job))) throw new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`);
      updateStatus = true;
    }
  }
  let created: Job;
  try {
    created = await d.client.create<Job>(jobsPath(cj.metadata.namespace!), template);
    d.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
  } catch (e) {
    if (e instanceof StatusError && (e.details?.causes ?? []).some((x) => x.type === 'NamespaceTerminating')) throw e;
    if (!(e instanceof StatusError && e.code === 409 && e.reason === 'AlreadyExists')) {
      d.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
      throw e;
    }
    // Created earlier (a crash before the status write): adopt it into status if it is ours.
    created = await d.client.get<Job>(jobsPath(cj.metadata.namespace!, template.metadata.name));
    const ours = (created.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === cj.metadata.uid);
    if (!ours || (status.active ?? []).some((r) => r.uid === created.metadata.uid)) return done();
  }
  status.active = [...(status.active ?? []), { kind: 'Job', namespace: created.metadata.namespace, name: created.metadata.name, uid: created.metadata.uid, apiVersion: 'batch/v1', resourceVersion: created.metadata.resourceVersion }];
  status.lastScheduleTime = rfc3339(scheduled);
  updateStatus = true;
  times.lastScheduleTime = status.lastScheduleTime;
  return next();
}
