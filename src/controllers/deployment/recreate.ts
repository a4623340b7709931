// The Recreate strategy as upstream deployment/recreate.go: scale every old ReplicaSet to zero,
// wait until none of their pods is left running, then create or scale up the new ReplicaSet.
import type { Pod } from '../replicaset-pods.js';
import type { ReplicaSet } from './util.js';
import { activeSets, replicasOf, statusReplicas } from './util.js';
import type { SyncState } from './sync.js';
import { cleanupDeployment, getAllReplicaSets, scaleAndRecord } from './sync.js';
import { deploymentComplete, syncRolloutStatus } from './progress.js';

/** oldPodsRunning: old sets still report pods, or a non-terminal pod of an old set exists. */
function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podsByOwner: Map<string, Pod[]>): boolean {
  if (statusReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByOwner) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

export async function rolloutRecreate(s: SyncState, rsList: ReplicaSet[], podsByOwner: Map<string, Pod[]>): Promise<void> {
  let { newRS, oldRSs } = await getAllReplicaSets(s, rsList, false);
  let all = [...oldRSs, ...(newRS ? [newRS] : [])];
  let scaledDown = false;
  for (const rs of activeSets(oldRSs)) if ((await scaleAndRecord(s, rs, 0)).scaled) scaledDown = true;
  if (scaledDown) return syncRolloutStatus(s, all, newRS);
  if (oldPodsRunning(newRS, oldRSs, podsByOwner)) return syncRolloutStatus(s, all, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSets(s, rsList, true));
    all = [...oldRSs, ...(newRS ? [newRS] : [])];
  }
  if (newRS && replicasOf(newRS) !== replicasOf(s.d)) await scaleAndRecord(s, newRS, replicasOf(s.d));
  if (deploymentComplete(s.d, s.d.status ?? {})) await cleanupDeployment(s, oldRSs);
  return syncRolloutStatus(s, all, newRS);
}
