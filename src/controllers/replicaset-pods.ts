// Pod predicates the ReplicaSet family shares with upstream's controller utils: which pods count
// (FilterActivePods), readiness and availability (podutil.IsPodReady / IsPodAvailable with
// minReadySeconds), and the scale-down order (ActivePodsWithRanks.Less, with the pod-deletion-cost
// annotation and logarithmic scale-down as in v1.32).
import type { KObject } from '../api/types.js';

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

interface ContainerStatus {
  name?: string;
  restartCount?: number;
}

export interface Pod extends KObject {
  spec?: { nodeName?: string; initContainers?: { name: string; restartPolicy?: string }[] };
  status?: { phase?: string; conditions?: PodCondition[]; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

export const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

/** Not terminal and not being deleted: the pods a ReplicaSet counts. */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata.deletionTimestamp;
}

export function readyCondition(p: Pod): PodCondition | undefined {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(p: Pod): boolean {
  return readyCondition(p)?.status === 'True';
}

/** Ready for at least minReadySeconds (by the Ready condition's lastTransitionTime). */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(p);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(t) && t + minReadySeconds * 1000 < now;
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(p: Pod): number {
  const v = p.metadata.annotations?.[DELETION_COST_ANNOTATION];
  if (v === undefined || !/^-?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function maxContainerRestarts(p: Pod): number {
  let max = 0;
  for (const c of p.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  // Sidecars (restartable init containers) count as upstream does with SidecarContainers on.
  const sidecars = new Set((p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  for (const c of p.status?.initContainerStatuses ?? []) if (c.name && sidecars.has(c.name)) max = Math.max(max, c.restartCount ?? 0);
  return max;
}

function readyTime(p: Pod): number {
  const c = readyCondition(p);
  return c?.status === 'True' && c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
}

function timeOf(s: string | undefined): number {
  return s ? Date.parse(s) : 0;
}

/** afterOrZero: a zero time sorts first, otherwise the later one. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

/** Buckets ages by powers of two (of nanoseconds, as upstream) so near-equal ages tie. */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number): number => {
    const d = (now - t) * 1e6;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return rank(t1) - rank(t2);
}

function compareTimes(t1: number, t2: number, uid1: string, uid2: string, now: number): boolean {
  if (t1 === 0 || t2 === 0) return afterOrZero(t1, t2);
  const diff = logarithmicRankDiff(t1, t2, now);
  if (diff === 0) return uid1 < uid2;
  return diff < 0;
}

export interface RankedPod {
  pod: Pod;
  /** Related active pods on the same node: doubled-up pods go first. */
  rank: number;
}

/** ActivePodsWithRanks.Less: true when `a` should be deleted before `b`. */
export function deleteBefore(a: RankedPod, b: RankedPod, now: number): boolean {
  const s1 = a.pod;
  const s2 = b.pod;
  const n1 = s1.spec?.nodeName ?? '';
  const n2 = s2.spec?.nodeName ?? '';
  // 1. Unassigned < assigned.
  if (n1 !== n2 && (n1 === '' || n2 === '')) return n1 === '';
  // 2. Pending < Unknown < Running.
  const p1 = PHASE_ORDINAL[s1.status?.phase ?? ''] ?? 0;
  const p2 = PHASE_ORDINAL[s2.status?.phase ?? ''] ?? 0;
  if (p1 !== p2) return p1 < p2;
  // 3. Not ready < ready.
  const r1 = isPodReady(s1);
  const r2 = isPodReady(s2);
  if (r1 !== r2) return !r1;
  // 4. Lower pod-deletion-cost first.
  const c1 = deletionCost(s1);
  const c2 = deletionCost(s2);
  if (c1 !== c2) return c1 < c2;
  // 5. Doubled up < not doubled up.
  if (a.rank !== b.rank) return a.rank > b.rank;
  const uid1 = s1.metadata.uid ?? '';
  const uid2 = s2.metadata.uid ?? '';
  // 6. Ready for a shorter time first.
  if (r1 && r2) {
    const t1 = readyTime(s1);
    const t2 = readyTime(s2);
    if (t1 !== t2) return compareTimes(t1, t2, uid1, uid2, now);
  }
  // 7. More restarts first.
  const m1 = maxContainerRestarts(s1);
  const m2 = maxContainerRestarts(s2);
  if (m1 !== m2) return m1 > m2;
  // 8. Newer first.
  const ct1 = timeOf(s1.metadata.creationTimestamp);
  const ct2 = timeOf(s2.metadata.creationTimestamp);
  if (ct1 !== ct2) return compareTimes(ct1, ct2, uid1, uid2, now);
  return false;
}

/**
 * The `n` pods to delete first: ranked by how many related pods (pods of ReplicaSets with the
 * same controller) share their node, then ordered as upstream's getPodsToDelete.
 */
export function podsToDelete(pods: Pod[], related: Pod[], n: number, now = Date.now()): Pod[] {
  if (n >= pods.length) return pods.slice();
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked: RankedPod[] = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (deleteBefore(a, b, now) ? -1 : deleteBefore(b, a, now) ? 1 : 0));
  return ranked.slice(0, n).map((r) => r.pod);
}
