// NodeAffinity: the pod's nodeSelector and required node affinity must match the node (as a
// PreFilter it narrows the candidates to the node names a metadata.name matchFields term lists,
// which is how DaemonSet pods target their node); preferred terms add their weights to the score.
import { defaultNormalizeScore, type CycleState, type FilterPlugin, type PreFilterPlugin, type PreFilterResult, type PreScorePlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { nodeSelectorTermMatches, podMatchesNodeSelectorAndAffinity } from '../match.js';
import { SKIP, SUCCESS, unresolvable, type Status } from '../status.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

/** Node names a required affinity pins the pod to, or undefined when any node may match. */
export function preFilterNodeNames(pod: PodInfo): Set<string> | undefined {
  const terms = pod.pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const t of terms) {
    const f = (t.matchFields ?? []).find((r) => r.key === 'metadata.name' && r.operator === 'In');
    if (!f) return undefined;
    for (const v of f.values ?? []) names.add(v);
  }
  return names;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NODE_AFFINITY;
  preFilter(_s: CycleState, pod: PodInfo): { status: Status; result?: PreFilterResult } {
    const spec = pod.pod.spec;
    if (!spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution && !spec.nodeSelector) return { status: SKIP };
    const nodeNames = preFilterNodeNames(pod);
    return { status: SUCCESS, result: nodeNames ? { nodeNames } : undefined };
  }
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    return podMatchesNodeSelectorAndAffinity(pod.pod, node.node) ? SUCCESS : unresolvable(ERR_REASON_POD);
  }
  /** Skip: without preferred terms every node scores 0 (as upstream's PreScore). */
  preScore(_s: CycleState, pod: PodInfo): Status {
    return pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ? SUCCESS : SKIP;
  }
  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const prefs = pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (!prefs) return 0;
    let sum = 0;
    for (const p of prefs) if (p.weight && nodeSelectorTermMatches(p.preference, node.node)) sum += p.weight;
    return sum;
  }
  normalizeScore(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(scores, false);
  }
}
