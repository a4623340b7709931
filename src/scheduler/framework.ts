// The scheduling framework: one small interface per extension point, a CycleState carried
// through one scheduling attempt, the Handle plugins get (cache, API client, listers,
// nominated pods), and the runner that calls the enabled plugins in order.
import type { Logger } from '../util/log.js';
import type { LabelSelectorSpec } from '../api/selectors/label-selector.js';
import type { RestClient } from '../client/rest-client.js';
import type { EventRecorder } from '../client/events.js';
import type { SchedulerCache } from './cache.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { PersistentVolume, PersistentVolumeClaim, PodDisruptionBudget, StorageClass } from './types.js';
import { SUCCESS, errorStatus, isSuccess, type Status } from './status.js';

export const MAX_NODE_SCORE = 100;

export interface Plugin {
  readonly name: string;
}

/** Per-attempt data plugins share between extension points; clone() for preemption dry runs. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();
  /** The Filter plugins not skipped in this cycle, worked out once (Framework.runFilter). */
  activeFilters?: FilterPlugin[];

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, v: unknown): void {
    this.data.set(key, v);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) {
      const cl = (v as { clone?: () => unknown } | null)?.clone;
      c.data.set(k, typeof cl === 'function' ? cl.call(v) : v);
    }
    for (const s of this.skipFilter) c.skipFilter.add(s);
    for (const s of this.skipScore) c.skipScore.add(s);
    return c;
  }
}

export interface PreFilterResult {
  /** Only these nodes can possibly fit (e.g. DaemonSet pods' metadata.name affinity). */
  nodeNames?: Set<string>;
}

export interface PreFilterPlugin extends Plugin {
  /** Status Skip: the plugin's Filter is not needed for this pod. */
  preFilter(state: CycleState, pod: PodInfo): { status: Status; result?: PreFilterResult };
  /** PreFilterExtensions: keep the precomputed state right when a pod is added to or removed from a node. */
  addPod?(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

export interface PostFilterResult {
  status: Status;
  /** undefined: leave the nomination as it is; '' clears it. */
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, nodeStatuses: Map<string, Status>): PostFilterResult;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Status;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Optional: score() for every node at once into `out` (one call per pod instead of one per node). */
  scoreAll?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], out: number[]): void;
  /** Rescales raw scores in place to 0..MAX_NODE_SCORE. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: number[], nodes: NodeInfo[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

export interface BindPlugin extends Plugin {
  bind(pod: PodInfo, nodeName: string): Promise<Status>;
}

/** Read access to the other objects plugins consult (from informers). */
export interface Listers {
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
  pv(name: string): PersistentVolume | undefined;
  storageClass(name: string): StorageClass | undefined;
  pdbs(namespace: string): PodDisruptionBudget[];
  /** The selector of the Services/ReplicaSets/StatefulSets/RCs owning the pod (system default spreading). */
  defaultSpreadSelector?(pod: PodInfo['pod']): LabelSelectorSpec | undefined;
  /** The live pod (preemption re-reads it, as upstream). */
  pod(namespace: string, name: string): PodInfo['pod'] | undefined;
}

export interface Nominator {
  /** Pods nominated to run on the node (their nominatedNodeName), as PodInfos. */
  nominatedPods(nodeName: string): readonly PodInfo[];
  nominatedNodeFor?(key: string): string | undefined;
}

export interface Handle {
  cache: SchedulerCache;
  client?: RestClient;
  recorder?: EventRecorder;
  log: Logger;
  schedulerName: string;
  listers: Listers;
  nominator: Nominator;
  /** Set once the framework is built; preemption runs filters through it. */
  framework?: Framework;
}

export type PluginFactory = (h: Handle) => Plugin;

function is<T extends Plugin>(p: Plugin, method: string): p is T {
  return typeof (p as unknown as Record<string, unknown>)[method] === 'function';
}

export class Framework {
  readonly preFilter: PreFilterPlugin[] = [];
  readonly filter: FilterPlugin[] = [];
  readonly postFilter: PostFilterPlugin[] = [];
  readonly preScore: PreScorePlugin[] = [];
  readonly score: { plugin: ScorePlugin; weight: number }[] = [];
  readonly reserve: ReservePlugin[] = [];
  readonly preBind: PreBindPlugin[] = [];
  readonly bind: BindPlugin[] = [];

  constructor(
    readonly handle: Handle,
    plugins: { plugin: Plugin; weight?: number }[],
  ) {
    for (const { plugin: p, weight } of plugins) {
      if (is<PreFilterPlugin>(p, 'preFilter')) this.preFilter.push(p);
      if (is<FilterPlugin>(p, 'filter')) this.filter.push(p);
      if (is<PostFilterPlugin>(p, 'postFilter')) this.postFilter.push(p);
      if (is<PreScorePlugin>(p, 'preScore')) this.preScore.push(p);
      if (is<ScorePlugin>(p, 'score') && weight) this.score.push({ plugin: p, weight });
      if (is<ReservePlugin>(p, 'reserve')) this.reserve.push(p);
      if (is<PreBindPlugin>(p, 'preBind')) this.preBind.push(p);
      if (is<BindPlugin>(p, 'bind')) this.bind.push(p);
    }
    handle.framework = this;
  }

  runPreFilter(state: CycleState, pod: PodInfo): { status: Status; nodeNames?: Set<string>; restricting?: string[] } {
    let nodeNames: Set<string> | undefined;
    const restricting: string[] = [];
    state.activeFilters = undefined;
    for (const p of this.preFilter) {
      const { status, result } = p.preFilter(state, pod);
      if (status.code === 'Skip') {
        state.skipFilter.add(p.name);
        continue;
      }
      if (!isSuccess(status)) return { status: { ...status, plugin: p.name } };
      if (result?.nodeNames) {
        restricting.push(p.name);
        nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => result.nodeNames!.has(n))) : result.nodeNames;
        if (nodeNames.size === 0) {
          const msg = restricting.length === 1 ? `node(s) didn't satisfy plugin ${p.name}` : `node(s) didn't satisfy plugin(s) [${restricting.join(' ')}] simultaneously`;
          return { status: { code: 'UnschedulableAndUnresolvable', reasons: [msg], plugin: p.name } };
        }
      }
    }
    return { status: SUCCESS, nodeNames, restricting };
  }

  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    // Filters run once per node (hundreds per pod): the skipped ones are left out once per cycle.
    const filters = (state.activeFilters ??= this.filter.filter((p) => !state.skipFilter.has(p.name)));
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i]!;
      const s = p.filter(state, pod, node);
      if (s.code !== 'Success') return s.plugin ? s : { ...s, plugin: p.name };
    }
    return SUCCESS;
  }

  /**
   * Filters with the pods nominated to this node that are at least as important as `pod`
   * counted as if running there, then without them (as upstream: both must pass).
   */
  runFilterWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const all = this.handle.nominator.nominatedPods(node.name);
    if (all.length === 0) return this.runFilter(state, pod, node);
    const nominated = all.filter((n) => n.key !== pod.key && n.priority >= pod.priority);
    if (nominated.length === 0) return this.runFilter(state, pod, node);
    const s2 = state.clone();
    const n2 = node.clone();
    for (const np of nominated) {
      n2.addPod(np);
      this.runAddPod(s2, pod, np, n2);
    }
    const s = this.runFilter(s2, pod, n2);
    if (!isSuccess(s)) return s;
    return this.runFilter(state, pod, node);
  }

  runAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilter) if (!state.skipFilter.has(p.name)) p.addPod?.(state, pod, added, node);
  }

  runRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilter) if (!state.skipFilter.has(p.name)) p.removePod?.(state, pod, removed, node);
  }

  runPostFilter(state: CycleState, pod: PodInfo, statuses: Map<string, Status>): PostFilterResult {
    let last: PostFilterResult = { status: { code: 'Unschedulable', reasons: [] } };
    for (const p of this.postFilter) {
      const r = p.postFilter(state, pod, statuses);
      if (r.status.code === 'Success' || r.status.code === 'Error') return r;
      last = r;
    }
    return last;
  }

  /** Weighted sum of normalized scores per node (aligned with `nodes`). */
  runScore(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): number[] {
    for (const p of this.preScore) {
      const s = p.preScore(state, pod, nodes);
      if (s.code === 'Skip') state.skipScore.add(p.name);
    }
    const total = new Array<number>(nodes.length).fill(0);
    const scores = new Array<number>(nodes.length);
    for (const { plugin, weight } of this.score) {
      if (state.skipScore.has(plugin.name)) continue;
      if (plugin.scoreAll) plugin.scoreAll(state, pod, nodes, scores);
      else for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      plugin.normalizeScore?.(state, pod, scores, nodes);
      for (let i = 0; i < nodes.length; i++) total[i]! += scores[i]! * weight;
    }
    return total;
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (let i = 0; i < this.reserve.length; i++) {
      const s = this.reserve[i]!.reserve(state, pod, nodeName);
      if (!isSuccess(s)) {
        for (let j = i; j >= 0; j--) this.reserve[j]!.unreserve(state, pod, nodeName);
        return s;
      }
    }
    return SUCCESS;
  }

  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let j = this.reserve.length - 1; j >= 0; j--) this.reserve[j]!.unreserve(state, pod, nodeName);
  }

  async runPreBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.preBind) {
      const s = await p.preBind(state, pod, nodeName);
      if (!isSuccess(s)) return { ...s, plugin: p.name };
    }
    return SUCCESS;
  }

  async runBind(pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.bind) {
      const s = await p.bind(pod, nodeName);
      if (s.code !== 'Skip') return s;
    }
    return errorStatus('no bind plugin bound the pod');
  }
}

/** DefaultNormalizeScore: scales to 0..MAX by the maximum; `reverse` makes low raw scores best. */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.trunc((MAX_NODE_SCORE * scores[i]!) / max);
    if (reverse) s = MAX_NODE_SCORE - s;
    scores[i] = s;
  }
}
