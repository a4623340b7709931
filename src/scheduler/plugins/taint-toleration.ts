// TaintToleration: NoSchedule/NoExecute taints the pod does not tolerate rule a node out;
// untolerated PreferNoSchedule taints lower its score (fewer is better).
import { defaultNormalizeScore, type FilterPlugin, type PreScorePlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { findUntoleratedTaint, tolerationsTolerate } from '../match.js';
import { SKIP, SUCCESS, unresolvable, type Status } from '../status.js';

export const TAINT_TOLERATION = 'TaintToleration';

/** The Filter reason for a node, or undefined when the pod tolerates its taints. */
export function untoleratedReason(pod: PodInfo, node: NodeInfo): string | undefined {
  const t = findUntoleratedTaint(node.taints, pod.pod.spec.tolerations);
  return t ? `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}` : undefined;
}

export function countIntolerablePreferNoSchedule(pod: PodInfo, node: NodeInfo): number {
  const tols = (pod.pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  let n = 0;
  for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerate(tols, taint)) n++;
  return n;
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = TAINT_TOLERATION;
  filter(_s: unknown, pod: PodInfo, node: NodeInfo): Status {
    if (node.taints.length === 0) return SUCCESS;
    const r = untoleratedReason(pod, node);
    return r ? unresolvable(r) : SUCCESS;
  }
  /**
   * Skip when no candidate has a PreferNoSchedule taint: every node would score the same, which
   * changes no choice (the usual case, so hundreds of nodes a pod are not scored for nothing).
   */
  preScore(_s: unknown, _p: PodInfo, nodes: NodeInfo[]): Status {
    for (const n of nodes) for (const t of n.taints) if (t.effect === 'PreferNoSchedule') return SUCCESS;
    return SKIP;
  }
  score(_s: unknown, pod: PodInfo, node: NodeInfo): number {
    return node.taints.length ? countIntolerablePreferNoSchedule(pod, node) : 0;
  }
  normalizeScore(_s: unknown, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(scores, true);
  }
}
