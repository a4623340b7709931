// PodTopologySpread (scoring): ScheduleAnyway constraints (or the system defaults for pods of a
// Service/ReplicaSet/StatefulSet without constraints) prefer nodes whose domains hold fewer
// matching pods: raw score = Σ count × log(domains + 2) + (maxSkew − 1), then inverted so the
// least crowded node gets 100. Hostname domains are counted per node straight from the index.
import { MAX_NODE_SCORE, type CycleState, type Handle } from '../framework.js';
import type { LabelGroup, SchedulerCache } from '../cache.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { SKIP, SUCCESS, type Status } from '../status.js';
import { LABEL_HOSTNAME } from '../types.js';
import { nodeHasAllKeys, nodeIncluded, podConstraints, systemDefaultConstraints, type SpreadConstraint } from './spread-constraints.js';

const STATE_KEY = 'PreScorePodTopologySpread';

interface ScoreState {
  constraints: SpreadConstraint[];
  requireAll: boolean;
  ignored: Set<string>;
  counts: (Map<string, number> | undefined)[];
  groups: LabelGroup[][];
  weights: number[];
}

export function preScoreSpread(h: Handle, state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Status {
  const cache = h.cache;
  let constraints: SpreadConstraint[];
  const own = pod.pod.spec.topologySpreadConstraints ?? [];
  if (own.length > 0) constraints = podConstraints(pod, 'ScheduleAnyway');
  else {
    const sel = h.listers.defaultSpreadSelector?.(pod.pod);
    constraints = sel ? systemDefaultConstraints(sel) : [];
  }
  if (constraints.length === 0) return SKIP;
  const requireAll = own.length > 0;
  const ignored = new Set<string>();
  for (const n of nodes) if (requireAll && !nodeHasAllKeys(n, constraints)) ignored.add(n.name);
  const counts: (Map<string, number> | undefined)[] = [];
  const groups: LabelGroup[][] = [];
  const weights: number[] = [];
  constraints.forEach((c, i) => {
    groups[i] = cache.matchingGroups(pod.namespace, c.selector);
    if (c.topologyKey === LABEL_HOSTNAME) {
      counts[i] = undefined;
      weights[i] = Math.log(nodes.length - ignored.size + 2);
      return;
    }
    const m = new Map<string, number>();
    if (cache.anyNodeHasLabel(c.topologyKey)) {
      for (const n of nodes) {
        const v = n.labels[c.topologyKey];
        if (v !== undefined && !ignored.has(n.name)) m.set(v, 0);
      }
      for (const g of groups[i]!) {
        for (const [nodeName, k] of g.live) {
          const node = cache.nodeInfo(nodeName);
          if (!node) continue;
          const v = node.labels[c.topologyKey];
          if (v === undefined || !m.has(v)) continue;
          if (requireAll && !nodeHasAllKeys(node, constraints)) continue;
          if (!nodeIncluded(c, pod, node)) continue;
          m.set(v, m.get(v)! + k);
        }
      }
    }
    counts[i] = m;
    weights[i] = Math.log(m.size + 2);
  });
  state.write(STATE_KEY, { constraints, requireAll, ignored, counts, groups, weights } satisfies ScoreState);
  return SUCCESS;
}

export function scoreSpread(_cache: SchedulerCache, state: CycleState, _pod: PodInfo, node: NodeInfo): number {
  const s = state.read<ScoreState>(STATE_KEY);
  return s ? scoreNode(s, node) : 0;
}

/** scoreSpread for every node (the state read once). */
export function scoreSpreadAll(state: CycleState, nodes: readonly NodeInfo[], out: number[]): void {
  const s = state.read<ScoreState>(STATE_KEY);
  for (let i = 0; i < nodes.length; i++) out[i] = s ? scoreNode(s, nodes[i]!) : 0;
}

// Called for every feasible node (hundreds per pod): plain loops, nothing allocated.
function scoreNode(s: ScoreState, node: NodeInfo): number {
  if (s.ignored.size > 0 && s.ignored.has(node.name)) return 0;
  let score = 0;
  const { constraints, counts, groups, weights } = s;
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i]!;
    const v = node.labels[c.topologyKey];
    if (v === undefined) continue;
    let cnt = 0;
    const m = counts[i];
    if (m) cnt = m.get(v) ?? 0;
    else {
      const gs = groups[i]!;
      for (let j = 0; j < gs.length; j++) cnt += gs[j]!.live.get(node.name) ?? 0;
    }
    score += cnt * weights[i]! + (c.maxSkew - 1);
  }
  return Math.round(score);
}

export function normalizeSpreadScores(state: CycleState, scores: number[], nodes: NodeInfo[]): void {
  const s = state.read<ScoreState>(STATE_KEY);
  if (!s) return;
  let min = Infinity;
  let max = 0;
  const anyIgnored = s.ignored.size > 0;
  for (let i = 0; i < scores.length; i++) {
    if (anyIgnored && s.ignored.has(nodes[i]!.name)) continue;
    const v = scores[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  for (let i = 0; i < scores.length; i++) {
    if (anyIgnored && s.ignored.has(nodes[i]!.name)) scores[i] = 0;
    else if (max === 0) scores[i] = MAX_NODE_SCORE;
    else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
  }
}
