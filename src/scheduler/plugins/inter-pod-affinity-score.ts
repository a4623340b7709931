// InterPodAffinity (scoring): preferred affinity/anti-affinity of the pod towards existing pods,
// and of existing pods towards it (their required affinity counts with weight 1, as upstream's
// hardPodAffinityWeight), summed per topology domain and normalized to 0..100 by min/max.
import { MAX_NODE_SCORE, type CycleState } from '../framework.js';
import type { SchedulerCache } from '../cache.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { termMatches } from '../match.js';
import { SKIP, SUCCESS, type Status } from '../status.js';
import { forEachMatchingPod } from './affinity-index.js';

const STATE_KEY = 'PreScoreInterPodAffinity';
const HARD_POD_AFFINITY_WEIGHT = 1;

type TopologyScore = Map<string, Map<string, number>>;

function add(ts: TopologyScore, key: string, value: string | undefined, w: number): void {
  if (value === undefined || w === 0) return;
  let m = ts.get(key);
  if (!m) ts.set(key, (m = new Map()));
  m.set(value, (m.get(value) ?? 0) + w);
}

export function preScoreAffinity(cache: SchedulerCache, state: CycleState, pod: PodInfo): Status {
  const hasPreferred = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
  if (!hasPreferred && cache.podsWithAffinity.size === 0) return SKIP;
  const ts: TopologyScore = new Map();
  for (const t of pod.preferredAffinity) forEachMatchingPod(cache, [t], (node, n) => add(ts, t.topologyKey, node.labels[t.topologyKey], t.weight * n));
  for (const t of pod.preferredAntiAffinity) forEachMatchingPod(cache, [t], (node, n) => add(ts, t.topologyKey, node.labels[t.topologyKey], -t.weight * n));
  const nsLabels = cache.namespaceLabelsOf(pod.namespace);
  for (const existing of cache.podsWithAffinity) {
    const node = cache.nodeInfo(existing.pod.spec.nodeName ?? '');
    if (!node) continue;
    for (const t of existing.requiredAffinity) if (termMatches(t, pod.namespace, pod.labels, nsLabels)) add(ts, t.topologyKey, node.labels[t.topologyKey], HARD_POD_AFFINITY_WEIGHT);
    for (const t of existing.preferredAffinity) if (termMatches(t, pod.namespace, pod.labels, nsLabels)) add(ts, t.topologyKey, node.labels[t.topologyKey], t.weight);
    for (const t of existing.preferredAntiAffinity) if (termMatches(t, pod.namespace, pod.labels, nsLabels)) add(ts, t.topologyKey, node.labels[t.topologyKey], -t.weight);
  }
  state.write(STATE_KEY, ts);
  return SUCCESS;
}

export function scoreAffinity(state: CycleState, node: NodeInfo): number {
  const ts = state.read<TopologyScore>(STATE_KEY);
  if (!ts) return 0;
  let score = 0;
  for (const [key, values] of ts) {
    const v = node.labels[key];
    if (v !== undefined) score += values.get(v) ?? 0;
  }
  return score;
}

export function normalizeAffinityScores(state: CycleState, scores: number[]): void {
  const ts = state.read<TopologyScore>(STATE_KEY);
  if (!ts || ts.size === 0) return;
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const diff = max - min;
  for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0;
}
