// Index bookkeeping over an Indexed Job's pods (upstream indexed_job_utils.go): which indexes are
// pending, which pods duplicate an index, and for backoffLimitPerIndex which indexes have failed,
// which failed pod hands its failure count to its replacement, and how long that index backs off.
import { remainingBackoffMs } from './backoff.js';
import { finishedTime, hasTrackingFinalizer, isPodFailed, isTerminating, onlyReplaceFailedPods, sortForRemoval } from './job-pods.js';
import type { IndexFailures } from './job-pods.js';
import { completionIndex, has, parseIntervals, withIndexes } from './indexes.js';
import type { Intervals } from './indexes.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import type { SyncCtx } from './sync-context.js';
import { INDEX_FAILURE_COUNT_ANNOTATION, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION } from './types.js';
import type { Job, Pod } from './types.js';

function annotationCount(p: Pod, name: string): number {
  const v = p.metadata.annotations?.[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

const absoluteFailures = (p: Pod): number => annotationCount(p, INDEX_FAILURE_COUNT_ANNOTATION) + annotationCount(p, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION);

/** Pods not yet counted (finalizer held) with an index below completions. */
function countablePods(c: SyncCtx): Pod[] {
  const completions = c.job.spec.completions ?? 0;
  return c.pods.filter((p) => {
    if (!hasTrackingFinalizer(p) || c.expectedRmFinalizers.has(p.metadata.uid!)) return false;
    const ix = completionIndex(p);
    return ix >= 0 && ix < completions;
  });
}

/** An index fails when its pod fails with FailIndex, or its failures exceed backoffLimitPerIndex. */
function isIndexFailed(job: Job, p: Pod): boolean {
  if (!isPodFailed(p, job)) return false;
  const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
  if (m.action === 'FailIndex') return true;
  return m.countFailed && annotationCount(p, INDEX_FAILURE_COUNT_ANNOTATION) >= (job.spec.backoffLimitPerIndex ?? 0);
}

export function calculateFailedIndexes(c: SyncCtx): Intervals {
  const prev = parseIntervals(c.job.status?.failedIndexes, c.job.spec.completions ?? 0);
  const failed = countablePods(c).filter((p) => isIndexFailed(c.job, p)).map(completionIndex);
  return withIndexes(prev, failed);
}

/** Per index, the newest failed pod whose finalizer stays until a replacement carries its count. */
export function podsWithDelayedDeletionPerIndex(c: SyncCtx): Map<number, Pod> {
  const activeIndexes = new Set(c.activePods.map(completionIndex));
  const out = new Map<number, Pod>();
  for (const p of countablePods(c)) {
    if (!isPodFailed(p, c.job)) continue;
    const ix = completionIndex(p);
    if (has(c.succeededIndexes, ix) || has(c.failedIndexes ?? [], ix) || activeIndexes.has(ix)) continue;
    const last = out.get(ix);
    if (!last || (absoluteFailures(last) <= absoluteFailures(p) && finishedTime(p) >= finishedTime(last))) out.set(ix, p);
  }
  return out;
}

/** The failure counts a replacement of `replaced` starts with. */
export function newIndexFailureCounts(job: Job, replaced: Pod | undefined): IndexFailures {
  if (!replaced) return { failed: 0, ignored: 0 };
  const failed = annotationCount(replaced, INDEX_FAILURE_COUNT_ANNOTATION);
  const ignored = annotationCount(replaced, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION);
  return matchPodFailurePolicy(job.spec.podFailurePolicy, replaced).countFailed ? { failed: failed + 1, ignored } : { failed, ignored: ignored + 1 };
}

/** Indexes to create now; if none may start yet, the shortest per-index backoff left. */
export function indexesReadyToStart(c: SyncCtx, indexes: number[], now: number, baseMs: number, maxMs: number): { now: number[]; waitMs: number } {
  const ready: number[] = [];
  let wait: number | undefined;
  for (const ix of indexes) {
    const last = c.podsWithDelayedDeletionPerIndex.get(ix);
    const left = last ? remainingBackoffMs(absoluteFailures(last) + 1, finishedTime(last), now, baseMs, maxMs) : 0;
    if (left === 0) ready.push(ix);
    else wait = Math.min(wait ?? left, left);
  }
  return ready.length ? { now: ready, waitMs: 0 } : { now: [], waitMs: wait ?? 0 };
}

/** The lowest `count` indexes that are neither succeeded, active, failed nor (if waiting) terminating. */
export function firstPendingIndexes(c: SyncCtx, count: number, completions: number): number[] {
  if (count <= 0) return [];
  const busy = new Set(c.activePods.map(completionIndex));
  if (onlyReplaceFailedPods(c.job)) for (const p of c.pods) if (isTerminating(p)) busy.add(completionIndex(p));
  const out: number[] = [];
  for (let ix = 0; ix < completions && out.length < count; ix++) {
    if (busy.has(ix) || has(c.succeededIndexes, ix) || has(c.failedIndexes ?? [], ix)) continue;
    out.push(ix);
  }
  return out;
}

/**
 * Splits active pods of an Indexed Job into those to remove (index out of range or missing, a
 * duplicate of an index, or an index that already failed) and those to keep (one per index).
 */
export function surplusIndexedPods(c: SyncCtx, active: Pod[]): { remove: Pod[]; keep: Pod[] } {
  const completions = c.job.spec.completions ?? 0;
  const byIndex = new Map<number, Pod[]>();
  const remove: Pod[] = [];
  for (const p of active) {
    const ix = completionIndex(p);
    if (ix < 0 || ix >= completions || has(c.failedIndexes ?? [], ix)) remove.push(p);
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
  }
  const keep: Pod[] = [];
  for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
    // Keep the most advanced pod of the index (the last in removal order).
    const sorted = sortForRemoval(byIndex.get(ix)!);
    remove.push(...sorted.slice(0, -1));
    keep.push(sorted[sorted.length - 1]!);
  }
  return { remove, keep };
}
