// Which nodes a DaemonSet's pod belongs on, as upstream's NodeShouldRunDaemonPod: the template's
// nodeName, nodeSelector and required node affinity, and the node's NoSchedule/NoExecute taints
// against the pod's tolerations plus the tolerations every DaemonSet pod gets automatically
// (AddOrUpdateDaemonPodTolerations). Also the matchFields affinity that pins a created pod to its
// node (the default scheduler then binds it) and reading that node back from a pod.
import type { KObject } from '../../api/types.js';
import { nodeRequirementMatches, toleratesTaint } from '../../api/scheduling.js';

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface DaemonPodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  hostNetwork?: boolean;
  [k: string]: unknown;
}

export type Node = KObject & { spec?: { taints?: Taint[]; unschedulable?: boolean } };

/** The tolerations upstream adds to every DaemonSet pod (network-unavailable only with hostNetwork). */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

const sameToleration = (a: Toleration, b: Toleration): boolean =>
  (a.key ?? '') === (b.key ?? '') && (a.effect ?? '') === (b.effect ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '');

/** AddOrUpdateDaemonPodTolerations: returns the tolerations with the automatic ones merged in. */
export function withDaemonTolerations(spec: DaemonPodSpec): Toleration[] {
  const out = [...(spec.tolerations ?? [])];
  for (const t of daemonTolerations(spec.hostNetwork === true)) {
    const i = out.findIndex((o) => sameToleration(o, t));
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

/** Toleration.ToleratesTaint (shared with the scheduler). */
export const tolerates: (t: Toleration, taint: Taint) => boolean = toleratesTaint;

/** The first taint with an effect in `effects` that no toleration tolerates. */
export function untoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[], effects: readonly string[]): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect) && !tolerations.some((t) => tolerates(t, taint)));
}

const matchExpression = nodeRequirementMatches;

function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  // An empty term selects no nodes (nodeaffinity.NewNodeSelector).
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const e of exprs) if (!matchExpression(e, Object.hasOwn(labels, e.key) ? labels[e.key] : undefined)) return false;
  for (const f of fields) {
    if (f.key !== 'metadata.name' || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
    if (!matchExpression(f, node.metadata.name)) return false;
  }
  return true;
}

/** nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): nodeSelector and required terms (ORed). */
export function matchesRequiredAffinity(spec: DaemonPodSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

/**
 * NodeShouldRunDaemonPod: `shouldRun` when a pod should be created on the node, and
 * `shouldContinueRunning` when an existing pod may stay (it tolerates the NoExecute taints).
 */
export function nodeShouldRunDaemonPod(node: Node, spec: DaemonPodSpec): { shouldRun: boolean; shouldContinueRunning: boolean } {
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!matchesRequiredAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withDaemonTolerations(spec);
  const taints = node.spec?.taints ?? [];
  if (untoleratedTaint(taints, tolerations, ['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !untoleratedTaint(taints, tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: required node affinity becomes "this node only". */
export function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const out: Affinity = structuredClone(affinity ?? {});
  const term: NodeSelectorTerm = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  out.nodeAffinity = { ...(out.nodeAffinity ?? {}) };
  out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    ...(out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? {}),
    nodeSelectorTerms: [term],
  };
  return out;
}

/** GetTargetNodeName: spec.nodeName, or the node a pending daemon pod is pinned to. */
export function targetNodeName(pod: KObject & { spec?: DaemonPodSpec }): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In') return f.values?.length === 1 ? f.values[0] : undefined;
    }
  }
  return undefined;
}
