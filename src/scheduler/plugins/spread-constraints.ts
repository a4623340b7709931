// Topology spread constraints compiled for one pod: selector (with matchLabelKeys merged in),
// the node inclusion policies with upstream's defaults (nodeAffinityPolicy Honor,
// nodeTaintsPolicy Ignore), and the system default constraints used for pods that declare none
// but belong to a Service, ReplicaSet, StatefulSet or ReplicationController.
import { selectorFromLabelSelector, type LabelSelector, type LabelSelectorSpec } from '../../api/selectors/label-selector.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { findUntoleratedTaint, podMatchesNodeSelectorAndAffinity } from '../match.js';
import { LABEL_HOSTNAME, LABEL_ZONE, type TopologySpreadConstraint } from '../types.js';

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
}

export function compileConstraint(c: TopologySpreadConstraint, pod: PodInfo): SpreadConstraint {
  let spec: LabelSelectorSpec | null | undefined = c.labelSelector;
  if (spec && c.matchLabelKeys?.length) {
    const extra = c.matchLabelKeys.filter((k) => pod.labels[k] !== undefined).map((k) => ({ key: k, operator: 'In', values: [pod.labels[k]!] }));
    spec = { matchLabels: spec.matchLabels, matchExpressions: [...(spec.matchExpressions ?? []), ...extra] };
  }
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    // A constraint without a selector matches no pods (labels.Nothing), as upstream.
    selector: selectorFromLabelSelector(spec ?? null),
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

export function podConstraints(pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadConstraint[] {
  return (pod.pod.spec.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === when).map((c) => compileConstraint(c, pod));
}

/** Upstream's system defaults: hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway. */
export function systemDefaultConstraints(selector: LabelSelectorSpec): SpreadConstraint[] {
  const sel = selectorFromLabelSelector(selector);
  const base = { selector: sel, minDomains: 1, honorNodeAffinity: true, honorTaints: false };
  return [
    { ...base, maxSkew: 3, topologyKey: LABEL_HOSTNAME },
    { ...base, maxSkew: 5, topologyKey: LABEL_ZONE },
  ];
}

export function nodeHasAllKeys(node: NodeInfo, constraints: readonly SpreadConstraint[]): boolean {
  for (const c of constraints) if (node.labels[c.topologyKey] === undefined) return false;
  return true;
}

/** matchNodeInclusionPolicies: whether pods on this node count for the constraint. */
export function nodeIncluded(c: SpreadConstraint, pod: PodInfo, node: NodeInfo): boolean {
  if (c.honorNodeAffinity && !podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) return false;
  if (c.honorTaints && findUntoleratedTaint(node.taints, pod.pod.spec.tolerations)) return false;
  return true;
}
