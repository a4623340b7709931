// The RollingUpdate strategy as upstream deployment/rolling.go: grow the new ReplicaSet up to
// replicas + maxSurge pods in total, then shrink old ReplicaSets while at least
// replicas - maxUnavailable pods stay available (unhealthy old pods go first), and clean up old
// ReplicaSets once the rollout is complete.
import type { ReplicaSet } from './util.js';
import { activeSets, availableReplicas, byCreation, maxUnavailable, replicasOf, specReplicas } from './util.js';
import type { SyncState } from './sync.js';
import { cleanupDeployment, getAllReplicaSets, newRSNewReplicas, scaleAndRecord } from './sync.js';
import { deploymentComplete, syncRolloutStatus } from './progress.js';

async function reconcileNewReplicaSet(s: SyncState, all: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const want = replicasOf(s.d);
  if (replicasOf(newRS) === want) return false;
  if (replicasOf(newRS) > want) return (await scaleAndRecord(s, newRS, want)).scaled;
  return (await scaleAndRecord(s, newRS, newRSNewReplicas(s.d, all, newRS))).scaled;
}

/** Scales down old sets with unavailable pods first (they cost no availability). */
async function cleanupUnhealthyReplicas(s: SyncState, oldRSs: ReplicaSet[], maxCleanup: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (const [i, rs] of sorted.entries()) {
    if (total >= maxCleanup) break;
    const avail = rs.status?.availableReplicas ?? 0;
    if (replicasOf(rs) === 0 || replicasOf(rs) === avail) continue;
    const down = Math.min(maxCleanup - total, replicasOf(rs) - avail);
    sorted[i] = (await scaleAndRecord(s, rs, replicasOf(rs) - down)).rs;
    total += down;
  }
  return { oldRSs: sorted, count: total };
}

async function scaleDownOldForRollingUpdate(s: SyncState, all: ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number> {
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const available = availableReplicas(all);
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    if (replicasOf(rs) === 0) continue;
    const down = Math.min(replicasOf(rs), target - total);
    await scaleAndRecord(s, rs, replicasOf(rs) - down);
    total += down;
  }
  return total;
}

async function reconcileOldReplicaSets(s: SyncState, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (specReplicas(oldRSs) === 0) return false;
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(s, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldForRollingUpdate(s, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
  return cleaned.count + scaledDown > 0;
}

export async function rolloutRolling(s: SyncState, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSets(s, rsList, true);
  if (!newRS) return;
  const all = [...oldRSs, newRS];
  if (await reconcileNewReplicaSet(s, all, newRS)) return syncRolloutStatus(s, all, newRS);
  if (await reconcileOldReplicaSets(s, all, activeSets(oldRSs), newRS)) return syncRolloutStatus(s, all, newRS);
  if (deploymentComplete(s.d, s.d.status ?? {})) await cleanupDeployment(s, oldRSs);
  return syncRolloutStatus(s, all, newRS);
}
