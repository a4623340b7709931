// Status of a ReplicaSet or ReplicationController as upstream's calculateStatus: counts of the
// active pods it controls (all, fully labeled, ready, available after minReadySeconds), the
// observed generation, and the ReplicaFailure condition that reports create/delete errors.
import type { KObject } from '../api/types.js';
import type { Pod } from './replicaset-pods.js';
import { isPodAvailable, isPodReady } from './replicaset-pods.js';

export interface ReplicaCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

export interface ReplicaSetLike extends KObject {
  spec?: { replicas?: number; minReadySeconds?: number; template?: { metadata?: { labels?: Record<string, string> } } };
  status?: ReplicaStatus;
}

export function nowTime(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The new status (observedGeneration left as before; the writer sets it). */
export function calculateStatus(rs: ReplicaSetLike, pods: Pod[], manageError: Error | undefined, diff: number, now = Date.now()): ReplicaStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  let conditions = (rs.status?.conditions ?? []).map((c) => ({ ...c }));
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const reason = diff < 0 ? 'FailedCreate' : 'FailedDelete';
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: nowTime(), reason, message: manageError.message });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaStatus = { replicas: pods.length, fullyLabeledReplicas: fully, readyReplicas: ready, availableReplicas: available, observedGeneration: rs.status?.observedGeneration };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Whether writing `next` would change anything (fields compared as upstream, zero = absent). */
export function statusChanged(rs: ReplicaSetLike, next: ReplicaStatus): boolean {
  const cur = rs.status ?? { replicas: 0 };
  const n = (v: number | undefined): number => v ?? 0;
  return (
    n(cur.replicas) !== n(next.replicas) ||
    n(cur.fullyLabeledReplicas) !== n(next.fullyLabeledReplicas) ||
    n(cur.readyReplicas) !== n(next.readyReplicas) ||
    n(cur.availableReplicas) !== n(next.availableReplicas) ||
    n(cur.observedGeneration) !== n(rs.metadata.generation) ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
