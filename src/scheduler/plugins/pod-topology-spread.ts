// PodTopologySpread (filtering): for each DoNotSchedule constraint, placing the pod in the
// node's domain must keep (matching pods there + 1 − the global minimum) ≤ maxSkew, where the
// minimum is 0 while fewer than minDomains domains exist. Nodes missing the topology label are
// unresolvable. PreFilter counts matching pods per domain through the cache's label index.
import type { CycleState, FilterPlugin, Handle, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from '../status.js';
import { nodeHasAllKeys, nodeIncluded, podConstraints, type SpreadConstraint } from './spread-constraints.js';
import { normalizeSpreadScores, preScoreSpread, scoreSpread, scoreSpreadAll } from './pod-topology-spread-score.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + ' (missing required label)';
const STATE_KEY = 'PreFilterPodTopologySpread';

class State {
  private mins: (number | undefined)[];
  constructor(
    readonly constraints: SpreadConstraint[],
    /** Per constraint: domain value → matching pods (every eligible domain present, maybe 0). */
    readonly counts: Map<string, number>[],
  ) {
    this.mins = constraints.map(() => undefined);
  }
  minMatch(i: number): number {
    let m = this.mins[i];
    if (m === undefined) {
      const domains = this.counts[i]!;
      m = Infinity;
      for (const v of domains.values()) if (v < m) m = v;
      if (m === Infinity || domains.size < this.constraints[i]!.minDomains) m = 0;
      this.mins[i] = m;
    }
    return m;
  }
  change(i: number, value: string, d: number): void {
    const c = this.counts[i]!;
    if (!c.has(value)) return;
    c.set(value, c.get(value)! + d);
    this.mins[i] = undefined;
  }
  clone(): State {
    return new State(this.constraints, this.counts.map((m) => new Map(m)));
  }
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = POD_TOPOLOGY_SPREAD;
  constructor(private readonly h: Handle) {}

  preFilter(state: CycleState, pod: PodInfo): { status: Status } {
    const constraints = podConstraints(pod, 'DoNotSchedule');
    if (constraints.length === 0) return { status: SKIP };
    const cache = this.h.cache;
    const counts = constraints.map(() => new Map<string, number>());
    const eligible = (i: number, node: NodeInfo): boolean => nodeHasAllKeys(node, constraints) && nodeIncluded(constraints[i]!, pod, node);
    for (const node of cache.nodeList) {
      for (let i = 0; i < constraints.length; i++) {
        if (eligible(i, node)) {
          const v = node.labels[constraints[i]!.topologyKey]!;
          if (!counts[i]!.has(v)) counts[i]!.set(v, 0);
        }
      }
    }
    constraints.forEach((c, i) => {
      for (const g of cache.matchingGroups(pod.namespace, c.selector)) {
        for (const [nodeName, n] of g.live) {
          const node = cache.nodeInfo(nodeName);
          if (!node || !eligible(i, node)) continue;
          const v = node.labels[c.topologyKey]!;
          counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + n);
        }
      }
    });
    state.write(STATE_KEY, new State(constraints, counts));
    return { status: SUCCESS };
  }

  private update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, d: number): void {
    const s = state.read<State>(STATE_KEY);
    if (!s || other.namespace !== pod.namespace || other.terminating || !nodeHasAllKeys(node, s.constraints)) return;
    s.constraints.forEach((c, i) => {
      if (nodeIncluded(c, pod, node) && c.selector.matches(other.labels)) s.change(i, node.labels[c.topologyKey]!, d);
    });
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    this.update(state, pod, added, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    this.update(state, pod, removed, node, -1);
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<State>(STATE_KEY);
    if (!s) return SUCCESS;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const skew = (s.counts[i]!.get(v) ?? 0) + self - s.minMatch(i);
      if (skew > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return SUCCESS;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Status {
    return preScoreSpread(this.h, state, pod, nodes);
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    return scoreSpread(this.h.cache, state, pod, node);
  }

  scoreAll(state: CycleState, _pod: PodInfo, nodes: readonly NodeInfo[], out: number[]): void {
    scoreSpreadAll(state, nodes, out);
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: number[], nodes: NodeInfo[]): void {
    normalizeSpreadScores(state, scores, nodes);
  }
}
