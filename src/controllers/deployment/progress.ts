// Rollout progress as upstream deployment/progress.go: the Progressing condition
// (ReplicaSetUpdated while pods move, NewReplicaSetAvailable when complete,
// ProgressDeadlineExceeded once progressDeadlineSeconds pass without progress), ReplicaFailure
// copied up from the ReplicaSets, and when to look again so a stuck rollout times out on time.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from './util.js';
import { getCondition, hasProgressDeadline, newCondition, removeCondition, replicasOf, setCondition } from './util.js';
import type { SyncState } from './sync.js';
import { calculateStatus, latest, sameStatus, updateStatus } from './sync.js';

/** DeploymentComplete: every replica updated and available, and the spec observed. */
export function deploymentComplete(d: Deployment, st: DeploymentStatus): boolean {
  const n = replicasOf(d);
  return (st.updatedReplicas ?? 0) === n && (st.replicas ?? 0) === n && (st.availableReplicas ?? 0) === n && (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, or more ready/available pods than before. */
export function deploymentProgressing(d: Deployment, st: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (st.replicas ?? 0) - (st.updatedReplicas ?? 0);
  return (
    (st.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (st.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (st.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

export function deploymentTimedOut(d: Deployment, st: DeploymentStatus, now = Date.now()): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(st, 'Progressing');
  if (!c || c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : 0;
  return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < now;
}

function replicaFailure(all: ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  const sets = newRS ? [newRS, ...all.filter((rs) => rs.metadata.uid !== newRS.metadata.uid)] : all;
  for (const rs of sets) {
    const c = rs.status?.conditions?.find((x) => x.type === 'ReplicaFailure' && x.status === 'True');
    if (c) return { type: 'ReplicaFailure', status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
  }
  return undefined;
}

/** requeueStuckDeployment: when to look again so ProgressDeadlineExceeded is set on time. */
function stuckRequeueMs(d: Deployment, st: DeploymentStatus): number | undefined {
  const c = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !c) return undefined;
  if (deploymentComplete(d, st) || c.reason === 'ProgressDeadlineExceeded') return undefined;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : Date.now();
  const after = from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - Date.now();
  return after < 1000 ? 1000 : after + 1000;
}

/** syncRolloutStatus: status from the ReplicaSets, Progressing and ReplicaFailure conditions. */
export async function syncRolloutStatus(s: SyncState, all: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
  const d = s.d;
  all = latest(s, all);
  if (newRS) newRS = latest(s, [newRS])[0];
  const st = calculateStatus(d, all, newRS);
  if (!hasProgressDeadline(d)) removeCondition(st, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete = st.replicas === st.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
  if (hasProgressDeadline(d) && !complete) {
    const name = newRS?.metadata.name;
    if (deploymentComplete(d, st)) {
      setCondition(st, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', name ? `ReplicaSet "${name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`));
    } else if (deploymentProgressing(d, st)) {
      const c = newCondition('Progressing', 'True', 'ReplicaSetUpdated', name ? `ReplicaSet "${name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`);
      // A fresh lastUpdateTime restarts the deadline; lastTransitionTime stays while status stays True.
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(st, 'Progressing');
      }
      setCondition(st, c);
    } else if (deploymentTimedOut(d, st)) {
      setCondition(st, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', name ? `ReplicaSet "${name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`));
    }
  }
  const failure = replicaFailure(all, newRS);
  if (failure) setCondition(st, failure);
  else removeCondition(st, 'ReplicaFailure');
  if (sameStatus(d.status, st)) {
    s.requeueAfterMs = stuckRequeueMs(d, st);
    return;
  }
  s.d.status = st;
  await updateStatus(s);
}
