// Job conditions as upstream writes them: Complete/Failed (terminal), the interim
// SuccessCriteriaMet/FailureTarget conditions recorded before pod finalizers are removed, and
// Suspended. Also the terminal reasons and messages the controller reports.
import type { Job, JobCondition } from './types.js';

export const REASON_BACKOFF_LIMIT = 'BackoffLimitExceeded';
export const MSG_BACKOFF_LIMIT = 'Job has reached the specified backoff limit';
export const REASON_DEADLINE = 'DeadlineExceeded';
export const MSG_DEADLINE = 'Job was active longer than specified deadline';
export const REASON_POD_FAILURE_POLICY = 'PodFailurePolicy';
export const REASON_MAX_FAILED_INDEXES = 'MaxFailedIndexesExceeded';
export const MSG_MAX_FAILED_INDEXES = 'Job has exceeded the specified maximal number of failed indexes';
export const REASON_FAILED_INDEXES = 'FailedIndexes';
export const MSG_FAILED_INDEXES = 'Job has failed indexes';
export const REASON_SUCCESS_POLICY = 'SuccessPolicy';
export const REASON_COMPLETIONS_REACHED = 'CompletionsReached';
export const MSG_COMPLETIONS_REACHED = 'Reached expected number of succeeded pods';

/** RFC 3339 at second precision, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function newCondition(type: string, status: JobCondition['status'], reason: string, message: string, now: number): JobCondition {
  const t = rfc3339(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

export function findCondition(job: Job, type: string): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c) => c.type === type);
}

export function hasTrueCondition(job: Job, type: string): boolean {
  return findCondition(job, type)?.status === 'True';
}

export function isJobFinished(job: Job): boolean {
  return hasTrueCondition(job, 'Complete') || hasTrueCondition(job, 'Failed');
}

/** The Complete or Failed condition type when finished. */
export function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  if (hasTrueCondition(job, 'Complete')) return 'Complete';
  if (hasTrueCondition(job, 'Failed')) return 'Failed';
  return undefined;
}

/**
 * Sets a condition to the given status/reason/message; a missing condition is added only when its
 * status is not False (upstream never adds e.g. Suspended=False to a Job that was never suspended).
 * Returns whether anything changed.
 */
export function ensureCondition(job: Job, type: string, status: JobCondition['status'], reason: string, message: string, now: number): boolean {
  const status_ = (job.status ??= {});
  const list = (status_.conditions ??= []);
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status === status && c.reason === reason && c.message === message) return false;
    list[i] = newCondition(type, status, reason, message, now);
    return true;
  }
  if (status === 'False') return false;
  list.push(newCondition(type, status, reason, message, now));
  return true;
}
