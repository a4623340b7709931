// One Job sync, as upstream's syncJob/manageJob: count newly finished pods, decide whether the Job
// has failed (backoffLimit, activeDeadlineSeconds, podFailurePolicy, failed indexes) or succeeded
// (completions, successPolicy), otherwise keep min(parallelism, remaining completions) pods
// running (suspend: none), honouring the failure backoff; then hand over to job-tracking.ts to
// account for finished pods and write status. Level-triggered: everything is derived from the Job
// and its pods as cached; returns the delay after which the Job needs another look.
import { clone } from '../../api/types.js';
import { findCondition, isJobFinished, newCondition, ensureCondition, rfc3339 } from './conditions.js';
import * as R from './conditions.js';
import { remainingBackoffMs } from './backoff.js';
import { hasBackoffLimitPerIndex, hasTrackingFinalizer, isActive, isIndexed, isPodFailed, isReady, isTerminating, onlyReplaceFailedPods, podFromTemplate, sortForRemoval } from './job-pods.js';
import { completionIndex, matchSuccessPolicy, parseIntervals, total, withIndexes } from './indexes.js';
import { calculateFailedIndexes, firstPendingIndexes, indexesReadyToStart, newIndexFailureCounts, podsWithDelayedDeletionPerIndex, surplusIndexedPods } from './indexed-pods.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { createPods, deletePods } from './pod-control.js';
import { trackJobStatusAndRemoveFinalizers } from './job-tracking.js';
import type { JobSyncDeps, SyncCtx } from './sync-context.js';
import { JOB_CONTROLLER_NAME } from './types.js';
import type { Job, Pod } from './types.js';

/** Upstream's cap on pod creations/deletions per sync. */
const MAX_POD_CHANGES_PER_SYNC = 500;

function failJobMessage(job: Job, pods: Pod[]): string | undefined {
  if (!job.spec.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p).failJobMessage;
    if (m) return m;
  }
  return undefined;
}

/** restartPolicy OnFailure: container restarts of running pods count against backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const cs of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) restarts += cs.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function newContext(d: JobSyncDeps, key: string, job: Job, pods: Pod[]): SyncCtx {
  const u = job.status!.uncountedTerminatedPods!;
  const activePods = pods.filter(isActive);
  return {
    key,
    job,
    pods,
    activePods,
    ready: activePods.filter(isReady).length,
    terminating: pods.filter(isTerminating).length,
    uncounted: { succeeded: new Set(u.succeeded ?? []), failed: new Set(u.failed ?? []) },
    expectedRmFinalizers: d.expectations.pendingFinalizerRemovals(key, pods),
    succeeded: 0,
    failed: 0,
    prevSucceededIndexes: [],
    succeededIndexes: [],
    podsWithDelayedDeletionPerIndex: new Map(),
    newBackoffRecord: { key, failuresAfterLastSuccess: 0 },
    requeue: [],
  };
}

/** Finished pods not yet counted: finalizer held, not uncounted already, a valid index if Indexed. */
function newFinishedPods(c: SyncCtx): { succeeded: Pod[]; failed: Pod[] } {
  const completions = c.job.spec.completions ?? 0;
  const valid = (p: Pod): boolean => {
    if (!hasTrackingFinalizer(p) || c.expectedRmFinalizers.has(p.metadata.uid!)) return false;
    if (!isIndexed(c.job)) return true;
    const ix = completionIndex(p);
    return ix >= 0 && ix < completions;
  };
  return {
    succeeded: c.pods.filter((p) => valid(p) && !c.uncounted.succeeded.has(p.metadata.uid!) && p.status?.phase === 'Succeeded'),
    failed: c.pods.filter((p) => valid(p) && !c.uncounted.failed.has(p.metadata.uid!) && isPodFailed(p, c.job)),
  };
}

export async function syncJob(d: JobSyncDeps, key: string, cached: Job, pods: Pod[]): Promise<number | undefined> {
  if (isJobFinished(cached)) {
    d.backoff.remove(key);
    return undefined;
  }
  if (cached.spec.managedBy && cached.spec.managedBy !== JOB_CONTROLLER_NAME) return undefined;
  const job = clone(cached);
  const status = (job.status ??= {});
  status.uncountedTerminatedPods ??= {};
  const satisfied = d.expectations.satisfied(key, pods);
  const c = newContext(d, key, job, pods);
  const now = d.now();
  const spec = job.spec;
  const completions = spec.completions ?? undefined;

  const fresh = newFinishedPods(c);
  c.succeeded = (status.succeeded ?? 0) + fresh.succeeded.length + c.uncounted.succeeded.size;
  const ignored = fresh.failed.filter((p) => !matchPodFailurePolicy(spec.podFailurePolicy, p).countFailed).length;
  c.failed = (status.failed ?? 0) + fresh.failed.length - ignored + c.uncounted.failed.size;
  if (!status.startTime && !spec.suspend) status.startTime = rfc3339(now);
  c.newBackoffRecord = d.backoff.next(key, fresh.succeeded, fresh.failed);

  const met = findCondition(job, 'SuccessCriteriaMet');
  if (met?.status === 'True') c.finishedCondition = met;
  if (!c.finishedCondition) {
    const target = findCondition(job, 'FailureTarget');
    const msg = target?.status === 'True' ? undefined : failJobMessage(job, pods);
    if (target?.status === 'True') c.finishedCondition = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
    else if (msg) c.finishedCondition = newCondition('FailureTarget', 'True', R.REASON_POD_FAILURE_POLICY, msg, now);
  }
  if (!c.finishedCondition) {
    const deadlineMs = spec.activeDeadlineSeconds != null ? spec.activeDeadlineSeconds * 1000 : undefined;
    const elapsed = status.startTime ? now - Date.parse(status.startTime) : 0;
    if (c.failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
      c.finishedCondition = newCondition('FailureTarget', 'True', R.REASON_BACKOFF_LIMIT, R.MSG_BACKOFF_LIMIT, now);
    } else if (deadlineMs !== undefined && status.startTime && !spec.suspend && elapsed >= deadlineMs) {
      c.finishedCondition = newCondition('FailureTarget', 'True', R.REASON_DEADLINE, R.MSG_DEADLINE, now);
    } else if (deadlineMs !== undefined && !spec.suspend) {
      c.requeue.push(Math.max(0, deadlineMs - elapsed));
    }
  }
  if (isIndexed(job) && completions !== undefined) {
    c.prevSucceededIndexes = parseIntervals(status.completedIndexes, completions);
    const done = pods.filter((p) => p.status?.phase === 'Succeeded' && hasTrackingFinalizer(p)).map(completionIndex).filter((ix) => ix >= 0 && ix < completions);
    c.succeededIndexes = withIndexes(c.prevSucceededIndexes, done);
    c.succeeded = total(c.succeededIndexes);
    if (hasBackoffLimitPerIndex(job)) {
      c.failedIndexes = calculateFailedIndexes(c);
      const nFailed = total(c.failedIndexes);
      if (!c.finishedCondition) {
        if (spec.maxFailedIndexes != null && nFailed > spec.maxFailedIndexes) {
          c.finishedCondition = newCondition('FailureTarget', 'True', R.REASON_MAX_FAILED_INDEXES, R.MSG_MAX_FAILED_INDEXES, now);
        } else if (nFailed > 0 && nFailed + c.succeeded >= completions) {
          c.finishedCondition = newCondition('FailureTarget', 'True', R.REASON_FAILED_INDEXES, R.MSG_FAILED_INDEXES, now);
        }
      }
      c.podsWithDelayedDeletionPerIndex = podsWithDelayedDeletionPerIndex(c);
    }
    if (!c.finishedCondition) {
      const msg = matchSuccessPolicy(spec.successPolicy, completions, c.succeededIndexes);
      if (msg) c.finishedCondition = newCondition('SuccessCriteriaMet', 'True', R.REASON_SUCCESS_POLICY, msg, now);
    }
  }

  let active = c.activePods.length;
  let suspendChanged = false;
  let manageError: Error | undefined;
  if (c.finishedCondition) {
    // Failing or succeeded: stop what still runs; pods keep their finalizer until counted.
    const r = await deletePods(d, c, c.activePods, false);
    if (r.deleted !== active || !satisfied) c.finishedCondition = undefined;
    active -= r.deleted;
    c.terminating += r.deleted;
    c.ready -= r.deletedReady;
    manageError = r.error;
  } else {
    let managed = false;
    if (satisfied && !job.metadata.deletionTimestamp) {
      const r = await manageJob(d, c, now);
      active = r.active;
      manageError = r.error;
      managed = true;
    }
    const complete = completions === undefined ? c.succeeded > 0 && active === 0 : c.succeeded >= completions && active === 0;
    if (complete) {
      c.finishedCondition = newCondition('SuccessCriteriaMet', 'True', R.REASON_COMPLETIONS_REACHED, R.MSG_COMPLETIONS_REACHED, now);
    } else if (managed) {
      if (spec.suspend) {
        if (ensureCondition(job, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
          suspendChanged = true;
          d.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
        }
      } else if (ensureCondition(job, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
        suspendChanged = true;
        d.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
        // activeDeadlineSeconds counts continuous activity: restart the clock on resume.
        status.startTime = rfc3339(now);
      }
    }
  }

  const needsStatusUpdate = suspendChanged || active !== (status.active ?? 0) || c.ready !== status.ready || c.terminating !== status.terminating || status.startTime !== cached.status?.startTime;
  status.active = active;
  status.ready = c.ready;
  status.terminating = c.terminating;
  await trackJobStatusAndRemoveFinalizers(d, c, needsStatusUpdate);
  if (manageError) throw manageError;
  return c.requeue.length ? Math.min(...c.requeue) : undefined;
}

/** Active pods to remove: duplicates/out-of-range indexes first, then by controller.ActivePods order. */
function activePodsForRemoval(c: SyncCtx, atLeast: number): Pod[] {
  let remove: Pod[] = [];
  let keep = c.activePods;
  if (isIndexed(c.job)) ({ remove, keep } = surplusIndexedPods(c, c.activePods));
  if (remove.length < atLeast) remove = remove.concat(sortForRemoval(keep).slice(0, atLeast - remove.length));
  return remove;
}

async function manageJob(d: JobSyncDeps, c: SyncCtx, now: number): Promise<{ active: number; error?: Error }> {
  const job = c.job;
  const active = c.activePods.length;
  if (job.spec.suspend) {
    const r = await deletePods(d, c, c.activePods, true);
    c.terminating += r.deleted;
    c.ready -= r.deletedReady;
    return { active: active - r.deleted, error: r.error };
  }
  const parallelism = job.spec.parallelism ?? 1;
  const completions = job.spec.completions ?? undefined;
  let want: number;
  if (completions === undefined) want = c.succeeded > 0 ? active : parallelism;
  else want = Math.max(0, Math.min(completions - c.succeeded, parallelism));

  const toDelete = activePodsForRemoval(c, Math.max(0, active - want)).slice(0, MAX_POD_CHANGES_PER_SYNC);
  if (toDelete.length) {
    // Deleting and creating in one sync could fight; deletion goes first, as upstream.
    const r = await deletePods(d, c, toDelete, true);
    c.terminating += r.deleted;
    c.ready -= r.deletedReady;
    return { active: active - r.deleted, error: r.error };
  }
  const terminating = onlyReplaceFailedPods(job) ? c.terminating : 0;
  const diff = Math.min(want - terminating - active, MAX_POD_CHANGES_PER_SYNC);
  if (diff <= 0) return { active };
  if (!hasBackoffLimitPerIndex(job)) {
    const rec = c.newBackoffRecord;
    const wait = remainingBackoffMs(rec.failuresAfterLastSuccess, rec.lastFailureTime, now, d.backoffBaseMs, d.backoffMaxMs);
    if (wait > 0) {
      c.requeue.push(wait);
      return { active };
    }
  }
  let pods: Pod[];
  if (isIndexed(job)) {
    let indexes = firstPendingIndexes(c, diff, completions ?? 0);
    if (hasBackoffLimitPerIndex(job)) {
      const ready = indexesReadyToStart(c, indexes, now, d.backoffBaseMs, d.backoffMaxMs);
      if (ready.waitMs > 0) c.requeue.push(ready.waitMs);
      indexes = ready.now;
    }
    pods = indexes.map((ix) => podFromTemplate(job, ix, hasBackoffLimitPerIndex(job) ? newIndexFailureCounts(job, c.podsWithDelayedDeletionPerIndex.get(ix)) : undefined));
  } else {
    pods = Array.from({ length: diff }, () => podFromTemplate(job, -1));
  }
  const r = await createPods(d, c, pods);
  return { active: active + r.created, error: r.error };
}
