// One pass of the StatefulSet algorithm (upstream's updateStatefulSet): pods are split into
// replicas (ordinals in [start, start+replicas)) and condemned ones; missing replicas are created
// at the current or update revision (ordinals below the partition keep the current one); with
// OrderedReady each step waits for its predecessors to be Running and Ready (and available for
// minReadySeconds) and scale-down removes the highest ordinal first, one at a time; Parallel does
// all of it at once. Then RollingUpdate deletes the highest-ordinal pod not at the update
// revision, down to the partition, one at a time once the rest are healthy.
import type { ControllerRevision } from '../history.js';
import { templateOfRevision } from '../history.js';
import type { StatefulPod, StatefulSet, StatefulSetStatus } from './identity.js';
import {
  endOrdinal, identityMatches, inOrdinalRange, isCreated, isFailed, isHealthy, isPending, isRunningAndAvailable, isRunningAndReady, isSucceeded, isTerminating,
  newPod, ordinalOf, podRevision, startOrdinal, storageMatches,
} from './identity.js';
import type { StatefulPodControl } from './pod-control.js';
import type { Revisions } from './revisions.js';

export interface Recorder {
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** The set as it was at a revision (ApplyRevision of a template-replacing patch). */
function atRevision(set: StatefulSet, rev: ControllerRevision): StatefulSet {
  return { ...set, spec: { ...(set.spec ?? {}), template: templateOfRevision(rev) } };
}

/** newVersionedStatefulSetPod, keeping upstream's operator precedence. */
function versionedPod(currentSet: StatefulSet, updateSet: StatefulSet, revs: Revisions, ordinal: number): StatefulPod {
  const st = currentSet.spec?.updateStrategy;
  const start = startOrdinal(currentSet);
  const useCurrent =
    (st?.type === 'RollingUpdate' && !st.rollingUpdate && ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (!!st?.rollingUpdate && ordinal < start + (st.rollingUpdate.partition ?? 0));
  return useCurrent ? newPod(currentSet, ordinal, revs.current.metadata.name!) : newPod(updateSet, ordinal, revs.update.metadata.name!);
}

/** computeReplicaStatus over all lists. */
function countStatus(status: StatefulSetStatus, minReady: number, revs: Revisions, nowMs: number, ...lists: StatefulPod[][]): void {
  Object.assign(status, { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 });
  for (const list of lists) {
    for (const pod of list) {
      if (isCreated(pod)) status.replicas!++;
      if (isRunningAndReady(pod)) {
        status.readyReplicas!++;
        if (isRunningAndAvailable(pod, minReady, nowMs)) status.availableReplicas!++;
      }
      if (isCreated(pod) && !isTerminating(pod)) {
        const r = podRevision(pod);
        if (r === revs.current.metadata.name) status.currentReplicas!++;
        if (r === revs.update.metadata.name) status.updatedReplicas!++;
      }
    }
  }
}

/** slowStartBatch: batches of 1, 2, 4, … run concurrently; stops after a batch with an error. */
async function slowStart(n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let pos = 0;
  for (let batch = Math.min(1, n); pos < n; batch = Math.min(2 * batch, n - pos)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, k) => fn(pos + k)));
    pos += batch;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** runForAll: in order, stopping at the first step that blocks (monotonic), or in parallel. */
async function runForAll(n: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (!monotonic) {
    await slowStart(n, fn);
    return false;
  }
  for (let i = 0; i < n; i++) if (await fn(i)) return true;
  return false;
}

export async function updateStatefulSet(set: StatefulSet, revs: Revisions, pods: StatefulPod[], control: StatefulPodControl, recorder: Recorder, nowMs: number): Promise<StatefulSetStatus> {
  const currentSet = atRevision(set, revs.current);
  const updateSet = atRevision(set, revs.update);
  const minReady = set.spec?.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    currentRevision: revs.current.metadata.name,
    updateRevision: revs.update.metadata.name,
    collisionCount: revs.collisionCount,
  };
  const start = startOrdinal(set);
  const count = Math.max(0, endOrdinal(set) - start + 1);
  const replicas: StatefulPod[] = new Array<StatefulPod>(count);
  const condemned: StatefulPod[] = [];
  for (const pod of pods) {
    if (inOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  for (let i = 0; i < count; i++) if (!replicas[i]) replicas[i] = versionedPod(currentSet, updateSet, revs, start + i);
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  countStatus(status, minReady, revs, nowMs, replicas, condemned);

  let firstUnhealthy: StatefulPod | undefined = replicas.find((p) => !isHealthy(p));
  if (!firstUnhealthy) for (let i = condemned.length - 1; i >= 0; i--) if (!isHealthy(condemned[i]!)) { firstUnhealthy = condemned[i]; break; }

  if (set.metadata.deletionTimestamp) return status;
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
  const done = () => {
    countStatus(status, minReady, revs, nowMs, replicas, condemned);
    return status;
  };

  const processReplica = async (i: number): Promise<boolean> => {
    let pod = replicas[i]!;
    if (isFailed(pod) || isSucceeded(pod)) {
      const ns = `${set.metadata.namespace}/${set.metadata.name}`;
      if (isFailed(pod)) recorder.event('Warning', 'RecreatingFailedPod', `StatefulSet ${ns} is recreating failed Pod ${pod.metadata.name}`);
      else recorder.event('Normal', 'RecreatingTerminatedPod', `StatefulSet ${ns} is recreating terminated Pod ${pod.metadata.name}`);
      await control.deletePod(set, pod);
      pod = replicas[i] = versionedPod(currentSet, updateSet, revs, start + i);
    }
    if (!isCreated(pod)) {
      if (control.podClaimIsStale(set, pod)) return true;
      await control.createPod(set, pod);
      if (monotonic) return true;
    }
    if (isPending(pod)) await control.createClaims(set, pod);
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, nowMs))) return true;
    if (!isCreated(pod)) return false;
    const retention = await control.claimsMatchRetention(updateSet, pod).catch(() => true);
    if (identityMatches(set, pod) && storageMatches(set, pod) && retention) return false;
    await control.updatePod(updateSet, pod);
    return false;
  };
  if (await runForAll(count, processReplica, monotonic)) return done();

  // Claims of condemned pods follow the scale-down half of the retention policy.
  const fixClaims = async (i: number): Promise<boolean> => {
    if (!(await control.claimsMatchRetention(updateSet, condemned[i]!))) await control.updateClaimsForRetention(updateSet, condemned[i]!);
    return false;
  };
  if (await runForAll(condemned.length, fixClaims, monotonic)) return done();

  const processCondemned = async (i: number): Promise<boolean> => {
    const pod = condemned[i]!;
    if (isTerminating(pod)) return monotonic;
    if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, nowMs))) return true;
    await control.deletePod(set, pod);
    return true;
  };
  if (await runForAll(condemned.length, processCondemned, monotonic)) return done();

  countStatus(status, minReady, revs, nowMs, replicas, condemned);
  if (set.spec?.updateStrategy?.type === 'OnDelete') return status;

  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= partition; target--) {
    const pod = replicas[target]!;
    if (podRevision(pod) !== revs.update.metadata.name && !isTerminating(pod)) {
      await control.deletePod(set, pod);
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return status;
    }
    if (!isHealthy(pod)) return status;
  }
  return status;
}
