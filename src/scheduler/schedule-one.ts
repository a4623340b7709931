// One scheduling decision, as upstream's schedulePod: PreFilter, then Filter over a sample of
// the nodes (percentageOfNodesToScore, adaptive for big clusters, walking the node list
// round-robin so successive pods look at different nodes), then PreScore/Score and a random
// pick among the best. Pure with respect to the API: it reads the cache and writes nothing.
import { CycleState, type Framework } from './framework.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import { fitErrorMessage, type Diagnosis } from './fit-error.js';
import { statusMessage, unresolvable, type Status } from './status.js';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/** How many feasible nodes to find before scoring (upstream's numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentageOfNodesToScore;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export type ScheduleResult =
  | { ok: true; node: string; state: CycleState; evaluated: number; feasible: number }
  | { ok: false; status: Status; message: string; diagnosis?: Diagnosis; numAllNodes: number; state: CycleState; nominatedNodeName?: string; plugins?: Set<string> };

export class Algorithm {
  private nextStartNodeIndex = 0;

  constructor(
    private readonly fw: Framework,
    private readonly percentageOfNodesToScore = 0,
  ) {}

  schedule(pod: PodInfo): ScheduleResult {
    const cache = this.fw.handle.cache;
    const all = cache.nodeList;
    const state = new CycleState();
    if (all.length === 0) return { ok: false, status: unresolvable(ERR_NO_NODES_AVAILABLE), message: ERR_NO_NODES_AVAILABLE, numAllNodes: 0, state };
    const pre = this.fw.runPreFilter(state, pod);
    if (pre.status.code === 'Error') return { ok: false, status: pre.status, message: statusMessage(pre.status), numAllNodes: all.length, state };
    if (pre.status.code !== 'Success') {
      const diagnosis: Diagnosis = { nodeStatuses: new Map(), absentStatus: pre.status, preFilterMsg: statusMessage(pre.status) };
      return this.fail(state, pod, diagnosis, all.length, new Set([pre.status.plugin ?? '']));
    }
    // A nominated node (after preemption) is tried first, as upstream's evaluateNominatedNode.
    const nominated = this.fw.handle.nominator.nominatedNodeFor?.(pod.key) ?? pod.pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = cache.nodeInfo(nominated);
      if (ni && (!pre.nodeNames || pre.nodeNames.has(nominated)) && this.fw.runFilterWithNominatedPods(state, pod, ni).code === 'Success') {
        return { ok: true, node: nominated, state, evaluated: 1, feasible: 1 };
      }
    }
    let nodes: NodeInfo[] = all;
    let absentStatus: Status | undefined;
    if (pre.nodeNames) {
      nodes = [];
      for (const n of pre.nodeNames) {
        const ni = cache.nodeInfo(n);
        if (ni) nodes.push(ni);
      }
      absentStatus = unresolvable(`node(s) didn't satisfy plugin(s) [${(pre.restricting ?? []).sort().join(' ')}]`);
    }
    const statuses = new Map<string, Status>();
    const feasible = this.findFeasible(state, pod, nodes, statuses, nodes === all);
    if (feasible.length === 0) {
      const plugins = new Set<string>();
      for (const s of statuses.values()) if (s.plugin) plugins.add(s.plugin);
      return this.fail(state, pod, { nodeStatuses: statuses, absentStatus }, all.length, plugins);
    }
    if (feasible.length === 1) return { ok: true, node: feasible[0]!.name, state, evaluated: statuses.size + 1, feasible: 1 };
    const scores = this.fw.runScore(state, pod, feasible);
    return { ok: true, node: selectHost(feasible, scores), state, evaluated: statuses.size + feasible.length, feasible: feasible.length };
  }

  private findFeasible(state: CycleState, pod: PodInfo, nodes: NodeInfo[], statuses: Map<string, Status>, rotate: boolean): NodeInfo[] {
    const want = numFeasibleNodesToFind(nodes.length, this.percentageOfNodesToScore);
    const out: NodeInfo[] = [];
    const start = rotate ? this.nextStartNodeIndex % nodes.length : 0;
    let processed = 0;
    for (let i = 0; i < nodes.length && out.length < want; i++) {
      const node = nodes[(start + i) % nodes.length]!;
      processed++;
      const s = this.fw.runFilterWithNominatedPods(state, pod, node);
      if (s.code === 'Success') out.push(node);
      else statuses.set(node.name, s);
    }
    if (rotate) this.nextStartNodeIndex = (start + processed) % nodes.length;
    return out;
  }

  private fail(state: CycleState, pod: PodInfo, diagnosis: Diagnosis, numAllNodes: number, plugins: Set<string>): ScheduleResult {
    // Errors from filters surface as errors, not as a fit error (as upstream).
    for (const s of diagnosis.nodeStatuses.values()) {
      if (s.code === 'Error') return { ok: false, status: s, message: statusMessage(s), numAllNodes, state };
    }
    let nominatedNodeName: string | undefined;
    const allStatuses = new Map(diagnosis.nodeStatuses);
    if (diagnosis.absentStatus) {
      for (const n of this.fw.handle.cache.nodeList) if (!allStatuses.has(n.name)) allStatuses.set(n.name, diagnosis.absentStatus);
    }
    if (this.fw.postFilter.length) {
      const r = this.fw.runPostFilter(state, pod, allStatuses);
      if (r.status.code !== 'Success' && r.status.reasons.length) diagnosis.postFilterMsg = statusMessage(r.status);
      nominatedNodeName = r.nominatedNodeName;
    }
    const message = fitErrorMessage(numAllNodes, diagnosis);
    const status: Status = { code: 'Unschedulable', reasons: [message], plugin: [...plugins].join(',') };
    return { ok: false, status, message, diagnosis, numAllNodes, state, nominatedNodeName, plugins };
  }
}

/** The node with the highest score; ties broken uniformly at random (reservoir sampling). */
export function selectHost(nodes: NodeInfo[], scores: number[]): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (scores[i]! > scores[best]!) {
      best = i;
      ties = 1;
    } else if (scores[i] === scores[best]) {
      ties++;
      if (Math.random() * ties < 1) best = i;
    }
  }
  return nodes[best]!.name;
}

