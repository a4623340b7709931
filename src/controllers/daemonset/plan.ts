// The DaemonSet controller's decisions as pure functions over the cached world (upstream's
// podsShouldBeOnNode, rollingUpdate and updateDaemonSetStatus): which nodes need a pod, which pods
// go, and what the status says. The controller only carries these plans out.
import type { Node } from './node-fit.js';
import { nodeShouldRunDaemonPod, targetNodeName } from './node-fit.js';
import type { DaemonPod, DaemonSet, DaemonSetStatus } from './types.js';
import { byCreationAndPhase, isPodAvailable, isPodReady, isPodUpdated, scaledValue, templateGeneration } from './types.js';

export interface Plan {
  nodesNeedingPods: string[];
  podsToDelete: string[];
  /** Events to record on the DaemonSet (failed/succeeded daemon pods). */
  events: { type: 'Normal' | 'Warning'; reason: string; message: string }[];
}

const shouldRun = (node: Node, ds: DaemonSet) => nodeShouldRunDaemonPod(node, ds.spec?.template?.spec ?? {});

/** Groups the DaemonSet's pods by the node they run on or are pinned to (getNodesToDaemonPods). */
export function podsByNode(pods: DaemonPod[], includeDeletedTerminal: boolean): Map<string, DaemonPod[]> {
  const out = new Map<string, DaemonPod[]>();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (!includeDeletedTerminal && (phase === 'Succeeded' || phase === 'Failed') && pod.metadata.deletionTimestamp) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}

export function allowsSurge(ds: DaemonSet): boolean {
  const st = ds.spec?.updateStrategy;
  return st?.type === 'RollingUpdate' && scaledValue(st.rollingUpdate?.maxSurge, 1) > 0;
}

/** manage: per node, create a missing pod or delete surplus, failed and misplaced ones. */
export function planManage(ds: DaemonSet, nodes: Node[], byNode: Map<string, DaemonPod[]>, hash: string, nowMs: number): Plan {
  const plan: Plan = { nodesNeedingPods: [], podsToDelete: [], events: [] };
  const minReady = ds.spec?.minReadySeconds ?? 0;
  for (const node of nodes) {
    const name = node.metadata.name!;
    const { shouldRun: run, shouldContinueRunning } = shouldRun(node, ds);
    const pods = byNode.get(name);
    if (run && !pods) {
      plan.nodesNeedingPods.push(name);
    } else if (shouldContinueRunning) {
      const running: DaemonPod[] = [];
      for (const pod of pods ?? []) {
        if (pod.metadata.deletionTimestamp) continue;
        const where = `${pod.metadata.namespace}/${pod.metadata.name} on node ${name}`;
        if (pod.status?.phase === 'Failed') {
          plan.events.push({ type: 'Warning', reason: 'FailedDaemonPod', message: `Found failed daemon pod ${where}, will try to kill it` });
          plan.podsToDelete.push(pod.metadata.name!);
        } else if (pod.status?.phase === 'Succeeded') {
          plan.events.push({ type: 'Normal', reason: 'SucceededDaemonPod', message: `Found succeeded daemon pod ${where}, will try to delete it` });
          plan.podsToDelete.push(pod.metadata.name!);
        } else {
          running.push(pod);
        }
      }
      running.sort(byCreationAndPhase);
      if (!allowsSurge(ds)) {
        // One pod per node: all but the oldest go.
        for (const extra of running.slice(1)) plan.podsToDelete.push(extra.metadata.name!);
        continue;
      }
      if (running.length <= 1) {
        if (running.length === 0 && run) plan.nodesNeedingPods.push(name);
        continue;
      }
      // Surging: at most the oldest new and the oldest old pod stay; the old one goes once it is
      // not ready or the new one is available.
      let oldestNew: DaemonPod | undefined;
      let oldestOld: DaemonPod | undefined;
      for (const pod of running) {
        const isNew = pod.metadata.labels?.['controller-revision-hash'] === hash;
        if (isNew && !oldestNew) oldestNew = pod;
        else if (!isNew && !oldestOld) oldestOld = pod;
        else plan.podsToDelete.push(pod.metadata.name!);
      }
      if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, nowMs))) plan.podsToDelete.push(oldestOld.metadata.name!);
    } else if (pods) {
      for (const pod of pods) if (!pod.metadata.deletionTimestamp) plan.podsToDelete.push(pod.metadata.name!);
    }
  }
  // Pods pinned to nodes that no longer exist are never scheduled, so pod GC will not remove them.
  const existing = new Set(nodes.map((n) => n.metadata.name!));
  for (const [node, pods] of byNode) {
    if (existing.has(node)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName) plan.podsToDelete.push(pod.metadata.name!);
  }
  return plan;
}

/** findUpdatedPodsOnNode: undefined when the node has more than one new or old live pod. */
function splitPods(pods: DaemonPod[], hash: string, generation: string | undefined): { newPod?: DaemonPod; oldPod?: DaemonPod } | undefined {
  let newPod: DaemonPod | undefined;
  let oldPod: DaemonPod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

/** rollingUpdate: old pods to delete (maxSurge 0) or nodes to surge onto, within the budgets. */
export function planRollingUpdate(ds: DaemonSet, nodes: Node[], byNodeIn: Map<string, DaemonPod[]>, hash: string, nowMs: number): Plan {
  const plan: Plan = { nodesNeedingPods: [], podsToDelete: [], events: [] };
  const byNode = new Map(byNodeIn);
  const nodeByName = new Map(nodes.map((n) => [n.metadata.name!, n]));
  let desired = 0;
  for (const node of nodes) {
    if (!shouldRun(node, ds).shouldRun) continue;
    desired++;
    if (!byNode.has(node.metadata.name!)) byNode.set(node.metadata.name!, []);
  }
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  let maxUnavailable = scaledValue(ru?.maxUnavailable, desired);
  const maxSurge = scaledValue(ru?.maxSurge, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: DaemonPod) => isPodAvailable(p, minReady, nowMs);
  const generation = templateGeneration(ds);

  if (maxSurge === 0) {
    let unavailable = 0;
    const replace: string[] = [];
    const candidates: string[] = [];
    for (const pods of byNode.values()) {
      const split = splitPods(pods, hash, generation);
      if (!split) {
        unavailable++;
        continue;
      }
      const { newPod, oldPod } = split;
      if ((!oldPod && !newPod) || (oldPod && newPod)) unavailable++;
      else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          replace.push(oldPod.metadata.name!);
          unavailable++;
        } else if (unavailable < maxUnavailable) candidates.push(oldPod.metadata.name!);
      }
    }
    const room = Math.min(Math.max(maxUnavailable - unavailable, 0), candidates.length);
    plan.podsToDelete = [...replace, ...candidates.slice(0, room)];
    return plan;
  }

  let surging = 0;
  let numAvailable = 0;
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  const misplaced: string[] = [];
  for (const [name, pods] of byNode) {
    const split = splitPods(pods, hash, generation);
    if (!split) {
      surging++;
      continue;
    }
    const { newPod, oldPod } = split;
    if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) numAvailable++;
    if (!oldPod) continue;
    const node = nodeByName.get(name);
    if (!newPod) {
      const run = node ? shouldRun(node, ds).shouldRun : false;
      if (!available(oldPod)) {
        if (!run) plan.podsToDelete.push(oldPod.metadata.name!);
        else allowedNew.push(name);
      } else if (!run) {
        misplaced.push(oldPod.metadata.name!);
      } else if (surging < maxSurge) {
        candidateNew.push(name);
      }
    } else if (!available(newPod)) {
      surging++;
    } else {
      plan.podsToDelete.push(oldPod.metadata.name!);
    }
  }
  // With surge the owner expects full availability: misplaced pods go only as others come up.
  const deletable = numAvailable - desired;
  if (deletable >= 0) plan.podsToDelete.push(...misplaced.slice(0, deletable));
  const room = Math.min(Math.max(maxSurge - surging, 0), candidateNew.length);
  plan.nodesNeedingPods = [...allowedNew, ...candidateNew.slice(0, room)];
  return plan;
}

/** updateDaemonSetStatus's counts. */
export function computeStatus(ds: DaemonSet, nodes: Node[], byNode: Map<string, DaemonPod[]>, hash: string, nowMs: number): Required<Pick<DaemonSetStatus, 'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>> {
  let desired = 0, current = 0, mis = 0, ready = 0, updated = 0, avail = 0;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  for (const node of nodes) {
    const pods = byNode.get(node.metadata.name!) ?? [];
    if (!shouldRun(node, ds).shouldRun) {
      if (pods.length > 0) mis++;
      continue;
    }
    desired++;
    if (pods.length === 0) continue;
    current++;
    const pod = [...pods].sort(byCreationAndPhase)[0]!;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, nowMs)) avail++;
    }
    if (isPodUpdated(pod, hash, generation)) updated++;
  }
  return {
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberMisscheduled: mis,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: avail,
    numberUnavailable: desired - avail,
  };
}
