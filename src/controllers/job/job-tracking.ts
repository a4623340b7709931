// Counting finished pods exactly once, as upstream's trackJobStatusAndRemoveFinalizers: a finished
// pod still holding the `batch.kubernetes.io/job-tracking` finalizer is first recorded by UID in
// status.uncountedTerminatedPods (written), then its finalizer is removed, then the UID moves into
// status.succeeded/failed (written). A crash anywhere in between is repaired by the next sync.
// The terminal condition (Complete/Failed) is set only when no pod is uncounted or terminating.
import { StatusError } from '../../api/errors.js';
import { resourcePath } from '../../client/rest-client.js';
import { ensureCondition, newCondition } from './conditions.js';
import { completionIndex, formatIntervals, has, total, withIndexes } from './indexes.js';
import { hasBackoffLimitPerIndex, hasTrackingFinalizer, isIndexed, isPodFailed } from './job-pods.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import type { JobSyncDeps, SyncCtx } from './sync-context.js';
import { JOB_TRACKING_FINALIZER } from './types.js';
import type { Job, JobCondition, JobStatus, Pod } from './types.js';

/** Upstream caps the UIDs recorded per sync to keep status small. */
const MAX_UNCOUNTED_PODS = 500;

/** Omits zero counters and empty lists, as the Go types' omitempty tags do. */
function normalize(status: JobStatus): void {
  for (const k of ['active', 'succeeded', 'failed'] as const) if (!status[k]) delete status[k];
  const u = (status.uncountedTerminatedPods ??= {});
  if (!u.succeeded?.length) delete u.succeeded;
  if (!u.failed?.length) delete u.failed;
}

export async function writeStatus(d: JobSyncDeps, c: SyncCtx): Promise<void> {
  normalize(c.job.status!);
  const { namespace, name } = c.job.metadata;
  c.job = await d.client.update<Job>(resourcePath('batch', 'v1', 'jobs', namespace, name, 'status'), { ...c.job, apiVersion: 'batch/v1', kind: 'Job' });
  c.job.status ??= {};
  c.job.status.uncountedTerminatedPods ??= {};
}

/** Moves uncounted UIDs whose pods no longer hold the finalizer into the counters. */
function cleanUncounted(status: JobStatus, withFinalizer: Set<string>): boolean {
  const u = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  for (const k of ['succeeded', 'failed'] as const) {
    const list = u[k] ?? [];
    const keep = list.filter((uid) => withFinalizer.has(uid));
    if (keep.length !== list.length) {
      status[k] = (status[k] ?? 0) + list.length - keep.length;
      u[k] = keep;
      changed = true;
    }
  }
  return changed;
}

function canRemoveFinalizer(c: SyncCtx, pod: Pod, consideredFailed: boolean): boolean {
  if (c.job.metadata.deletionTimestamp || c.finishedCondition || pod.status?.phase === 'Succeeded') return true;
  if (!consideredFailed) return false;
  if (hasBackoffLimitPerIndex(c.job)) {
    const held = c.podsWithDelayedDeletionPerIndex.get(completionIndex(pod));
    if (held && held.metadata.uid === pod.metadata.uid) return false;
  }
  return true;
}

async function removeFinalizers(d: JobSyncDeps, c: SyncCtx, pods: Pod[]): Promise<{ removed: Set<string>; error?: Error }> {
  const removed = new Set<string>();
  let error: Error | undefined;
  await Promise.all(
    pods.map(async (p) => {
      d.expectations.expectFinalizerRemoved(c.key, p.metadata.uid!);
      try {
        await d.client.patch(resourcePath('', 'v1', 'pods', p.metadata.namespace, p.metadata.name), { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } }, 'strategic');
        removed.add(p.metadata.uid!);
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) removed.add(p.metadata.uid!);
        else error = e as Error;
      }
    }),
  );
  return { removed, error };
}

function recordFinished(d: JobSyncDeps, job: Job, cond: JobCondition): void {
  if (cond.type === 'Complete') {
    const completions = job.spec.completions;
    if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
      d.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
    }
    d.recorder.event(job, 'Normal', 'Completed', 'Job completed');
  } else {
    d.recorder.event(job, 'Warning', cond.reason ?? 'Failed', cond.message ?? '');
  }
}

export async function trackJobStatusAndRemoveFinalizers(d: JobSyncDeps, c: SyncCtx, needsFlushIn: boolean): Promise<void> {
  let needsFlush = needsFlushIn;
  const status = c.job.status!;
  const uncounted = (status.uncountedTerminatedPods ??= {});
  const indexed = isIndexed(c.job);
  const completions = c.job.spec.completions ?? 0;
  const pods = indexed ? [...c.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : c.pods;
  const withFinalizer = new Set(pods.filter((p) => hasTrackingFinalizer(p) && !c.expectedRmFinalizers.has(p.metadata.uid!)).map((p) => p.metadata.uid!));
  if (cleanUncounted(status, withFinalizer)) needsFlush = true;

  const toRemove: Pod[] = [];
  const newSucceededIndexes: number[] = [];
  let reachedMax = false;
  for (const pod of pods) {
    const uid = pod.metadata.uid!;
    if (!hasTrackingFinalizer(pod) || c.expectedRmFinalizers.has(uid)) continue;
    const failed = isPodFailed(pod, c.job);
    if (!canRemoveFinalizer(c, pod, failed)) continue;
    toRemove.push(pod);
    if (pod.status?.phase === 'Succeeded' && !c.uncounted.failed.has(uid)) {
      if (indexed) {
        const ix = completionIndex(pod);
        if (ix >= 0 && ix < completions && !has(c.prevSucceededIndexes, ix)) {
          newSucceededIndexes.push(ix);
          needsFlush = true;
        }
      } else if (!c.uncounted.succeeded.has(uid)) {
        (uncounted.succeeded ??= []).push(uid);
        needsFlush = true;
      }
    } else if (failed || (c.finishedCondition && c.finishedCondition.type !== 'SuccessCriteriaMet')) {
      // Once the Job is failing, every unfinished pod counts as failed.
      const ix = completionIndex(pod);
      if (!c.uncounted.failed.has(uid) && (!indexed || (ix >= 0 && ix < completions))) {
        if (matchPodFailurePolicy(c.job.spec.podFailurePolicy, pod).countFailed) {
          (uncounted.failed ??= []).push(uid);
          needsFlush = true;
        }
      }
    }
    if (newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) >= MAX_UNCOUNTED_PODS) {
      reachedMax = true;
      break;
    }
  }
  if (indexed) {
    c.succeededIndexes = withIndexes(c.succeededIndexes, newSucceededIndexes);
    const s = formatIntervals(c.succeededIndexes);
    if (s !== (status.completedIndexes ?? '')) needsFlush = true;
    status.succeeded = total(c.succeededIndexes);
    status.completedIndexes = s;
    const failedStr = c.failedIndexes ? formatIntervals(c.failedIndexes) : undefined;
    if (failedStr !== status.failedIndexes) {
      if (failedStr === undefined) delete status.failedIndexes;
      else status.failedIndexes = failedStr;
      needsFlush = true;
    }
  }
  const now = d.now();
  if (c.finishedCondition?.type === 'FailureTarget') {
    // Record why the Job fails before its pods' finalizers go; Failed follows when all are counted.
    (status.conditions ??= []).push(c.finishedCondition);
    needsFlush = true;
    c.finishedCondition = newCondition('Failed', 'True', c.finishedCondition.reason!, c.finishedCondition.message!, now);
  }
  if (c.finishedCondition?.type === 'SuccessCriteriaMet') {
    if (!(status.conditions ?? []).some((x) => x.type === 'SuccessCriteriaMet' && x.status === 'True')) {
      (status.conditions ??= []).push(c.finishedCondition);
      needsFlush = true;
    }
    c.finishedCondition = newCondition('Complete', 'True', c.finishedCondition.reason!, c.finishedCondition.message!, now);
  }

  // Flush the new UIDs, then remove finalizers, then count what was removed.
  if (needsFlush) {
    await writeStatus(d, c);
    d.backoff.update(c.newBackoffRecord);
    needsFlush = false;
  }
  let rmError: Error | undefined;
  if (toRemove.length) {
    const { removed, error } = await removeFinalizers(d, c, toRemove);
    for (const uid of removed) withFinalizer.delete(uid);
    rmError = error;
  }
  if (cleanUncounted(c.job.status!, withFinalizer)) needsFlush = true;
  if (rmError) {
    if (needsFlush) await writeStatus(d, c);
    throw rmError;
  }

  const finished = !reachedMax && enactJobFinished(c, now);
  if (finished) needsFlush = true;
  if (needsFlush) {
    await writeStatus(d, c);
    if (finished) recordFinished(d, c.job, c.finishedCondition!);
  }
  if (reachedMax) c.requeue.push(0);
}

function enactJobFinished(c: SyncCtx, now: number): boolean {
  const cond = c.finishedCondition;
  if (!cond) return false;
  const u = c.job.status?.uncountedTerminatedPods;
  if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
  if (c.terminating > 0) return false;
  ensureCondition(c.job, cond.type, cond.status, cond.reason ?? '', cond.message ?? '', now);
  if (cond.type === 'Complete') c.job.status!.completionTime = c.job.status!.conditions!.find((x) => x.type === 'Complete')!.lastTransitionTime;
  return true;
}
