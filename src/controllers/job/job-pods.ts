// Pods as the Job controller sees them: active / terminating / failed classification, finish
// times (for backoff), the order in which surplus pods are removed, and the pod built from a Job's
// template (labels, controller ownerReference, the job-tracking finalizer, and for Indexed Jobs the
// completion index annotation/label, hostname and JOB_COMPLETION_INDEX env var).
import { clone } from '../../api/types.js';
import type { OwnerReference } from '../../api/types.js';
import { COMPLETION_INDEX_ANNOTATION, INDEX_FAILURE_COUNT_ANNOTATION, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION, JOB_TRACKING_FINALIZER } from './types.js';
import type { Job, Pod } from './types.js';

export const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
export const isActive = (p: Pod): boolean => !isTerminal(p) && !p.metadata.deletionTimestamp;
export const isTerminating = (p: Pod): boolean => !isTerminal(p) && !!p.metadata.deletionTimestamp;
export const hasTrackingFinalizer = (p: Pod): boolean => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
export const isReady = (p: Pod): boolean => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
export const isIndexed = (job: Job): boolean => job.spec.completionMode === 'Indexed';
export const hasBackoffLimitPerIndex = (job: Job): boolean => isIndexed(job) && job.spec.backoffLimitPerIndex !== undefined && job.spec.backoffLimitPerIndex !== null;

/** Replacement pods wait for the old ones to be fully gone (podReplacementPolicy Failed). */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || !!job.spec.podFailurePolicy;
}

/** A failed pod; unless only Failed pods are replaced, a deleted unfinished pod counts as failed too. */
export function isPodFailed(p: Pod, job: Job): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded';
}

/** When a pod finished: its last container's finishedAt, else Ready=False, deletion or creation time. */
export function finishedTime(p: Pod): number {
  let latest: number | undefined;
  for (const cs of [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]) {
    const at = cs.state?.terminated?.finishedAt;
    if (at) latest = Math.max(latest ?? 0, Date.parse(at));
  }
  if (latest !== undefined) return latest;
  const ready = (p.status?.conditions ?? []).find((c) => c.type === 'Ready' && c.status === 'False');
  if (ready?.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (p.metadata.deletionTimestamp) return Date.parse(p.metadata.deletionTimestamp);
  return Date.parse(p.metadata.creationTimestamp ?? '') || 0;
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** controller.ActivePods order: unscheduled, pending, not ready, newest first go first. */
export function sortForRemoval(pods: Pod[]): Pod[] {
  return [...pods].sort((a, b) => {
    const sa = a.spec?.nodeName ? 1 : 0;
    const sb = b.spec?.nodeName ? 1 : 0;
    if (sa !== sb) return sa - sb;
    const pa = phaseRank[a.status?.phase ?? 'Pending'] ?? 0;
    const pb = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
    if (pa !== pb) return pa - pb;
    const ra = isReady(a) ? 1 : 0;
    const rb = isReady(b) ? 1 : 0;
    if (ra !== rb) return ra - rb;
    return (Date.parse(b.metadata.creationTimestamp ?? '') || 0) - (Date.parse(a.metadata.creationTimestamp ?? '') || 0);
  });
}

export function controllerRef(job: Job): OwnerReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name!, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function isControlledBy(p: { metadata: { ownerReferences?: OwnerReference[] } }, uid: string | undefined): boolean {
  return (p.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === uid);
}

/** Generated names leave room for the 5-character random suffix (63 - 5 = 58); an index survives. */
function generateName(jobName: string, index: number): string {
  const tail = index >= 0 ? `-${index}-` : '-';
  return `${jobName}${tail}`.length > 58 ? jobName.slice(0, 58 - tail.length) + tail : `${jobName}${tail}`;
}

export interface IndexFailures {
  failed: number;
  ignored: number;
}

/** The pod the Job's template describes, for POST with generateName. */
export function podFromTemplate(job: Job, index: number, failures?: IndexFailures): Pod {
  const t = clone(job.spec.template);
  const meta = t.metadata ?? {};
  const spec = t.spec ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: generateName(job.metadata.name!, index),
      namespace: job.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}) },
      finalizers: [...new Set([...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER])],
      ownerReferences: [controllerRef(job)],
    },
    spec,
  };
  if (index >= 0) {
    pod.metadata.annotations![COMPLETION_INDEX_ANNOTATION] = String(index);
    pod.metadata.labels![COMPLETION_INDEX_ANNOTATION] = String(index);
    spec.hostname = `${job.metadata.name}-${index}`;
    if (failures) {
      pod.metadata.annotations![INDEX_FAILURE_COUNT_ANNOTATION] = String(failures.failed);
      if (failures.ignored > 0) pod.metadata.annotations![INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = String(failures.ignored);
    }
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      if ((c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) continue;
      const env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } }];
      c.env = env as { name: string }[];
    }
  }
  if (Object.keys(pod.metadata.annotations!).length === 0) delete pod.metadata.annotations;
  return pod;
}
