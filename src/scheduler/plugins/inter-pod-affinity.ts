// InterPodAffinity (filtering): the pod's required affinity must find matching pods in the
// node's topology domain, its required anti-affinity must find none, and no existing pod's
// required anti-affinity may match the pod (symmetry). PreFilter counts matches per topology
// pair once per attempt (through the cache's label index, not pod by pod); AddPod/RemovePod keep
// the counts right for preemption's what-ifs. Scoring lives in inter-pod-affinity-score.ts.
import type { CycleState, FilterPlugin, Handle, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { termMatches, type AffinityTerm } from '../match.js';
import { forEachMatchingPod } from './affinity-index.js';
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from '../status.js';
import { normalizeAffinityScores, preScoreAffinity, scoreAffinity } from './inter-pod-affinity-score.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
const STATE_KEY = 'PreFilterInterPodAffinity';

const pair = (key: string, value: string): string => `${key}\u0000${value}`;

class Counts extends Map<string, number> {
  inc(k: string, d: number): void {
    const v = (this.get(k) ?? 0) + d;
    if (v === 0) this.delete(k);
    else this.set(k, v);
  }
  clone(): Counts {
    return new Counts(this);
  }
}

class State {
  constructor(
    readonly existingAnti: Counts,
    readonly affinity: Counts,
    readonly anti: Counts,
    readonly nsLabels: Record<string, string> | undefined,
  ) {}
  clone(): State {
    return new State(this.existingAnti.clone(), this.affinity.clone(), this.anti.clone(), this.nsLabels);
  }
}

function matchesAll(terms: readonly AffinityTerm[], p: PodInfo, nsLabels: Record<string, string> | undefined): boolean {
  return terms.every((t) => termMatches(t, p.namespace, p.labels, nsLabels));
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = INTER_POD_AFFINITY;
  constructor(private readonly h: Handle) {}

  preFilter(state: CycleState, pod: PodInfo): { status: Status } {
    const cache = this.h.cache;
    if (pod.requiredAffinity.length === 0 && pod.requiredAntiAffinity.length === 0 && cache.podsWithRequiredAntiAffinity.size === 0) return { status: SKIP };
    const nsLabels = cache.namespaceLabelsOf(pod.namespace);
    const s = new State(new Counts(), new Counts(), new Counts(), nsLabels);
    for (const existing of cache.podsWithRequiredAntiAffinity) {
      const node = cache.nodeInfo(existing.pod.spec.nodeName ?? '');
      if (!node) continue;
      for (const t of existing.requiredAntiAffinity) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined && termMatches(t, pod.namespace, pod.labels, nsLabels)) s.existingAnti.inc(pair(t.topologyKey, v), 1);
      }
    }
    forEachMatchingPod(cache, pod.requiredAffinity, (node, n) => {
      for (const t of pod.requiredAffinity) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined) s.affinity.inc(pair(t.topologyKey, v), n);
      }
    });
    for (const t of pod.requiredAntiAffinity) {
      forEachMatchingPod(cache, [t], (node, n) => {
        const v = node.labels[t.topologyKey];
        if (v !== undefined) s.anti.inc(pair(t.topologyKey, v), n);
      });
    }
    state.write(STATE_KEY, s);
    return { status: SUCCESS };
  }

  private update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, d: 1 | -1): void {
    const s = state.read<State>(STATE_KEY);
    if (!s) return;
    const otherNs = this.h.cache.namespaceLabelsOf(other.namespace);
    for (const t of other.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, pod.namespace, pod.labels, s.nsLabels)) s.existingAnti.inc(pair(t.topologyKey, v), d);
    }
    if (pod.requiredAffinity.length && matchesAll(pod.requiredAffinity, other, otherNs)) {
      for (const t of pod.requiredAffinity) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined) s.affinity.inc(pair(t.topologyKey, v), d);
      }
    }
    for (const t of pod.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, other.namespace, other.labels, otherNs)) s.anti.inc(pair(t.topologyKey, v), d);
    }
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
    if (!satisfiesAffinity(s, pod, node)) return unresolvable(ERR_REASON_AFFINITY);
    for (const t of pod.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && (s.anti.get(pair(t.topologyKey, v)) ?? 0) > 0) return unschedulable(ERR_REASON_ANTI_AFFINITY);
    }
    for (const [k, n] of s.existingAnti) {
      if (n <= 0) continue;
      const i = k.indexOf('\u0000');
      if (node.labels[k.slice(0, i)] === k.slice(i + 1)) return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
    }
    return SUCCESS;
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    return preScoreAffinity(this.h.cache, state, pod);
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    return scoreAffinity(state, node);
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: number[]): void {
    normalizeAffinityScores(state, scores);
  }
}

function satisfiesAffinity(s: State, pod: PodInfo, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of pod.requiredAffinity) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false;
    if ((s.affinity.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself may go anywhere the keys exist.
  return s.affinity.size === 0 && matchesAll(pod.requiredAffinity, pod, s.nsLabels);
}
