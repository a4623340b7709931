// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in similar
// proportions after placing the pod (score = (1 - std of the fractions) × 100).
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';

export const BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

export function balancedScore(pod: PodInfo, node: NodeInfo): number {
  const a = node.allocatable;
  // With one resource (or none) the standard deviation is 0.
  if (!(a.milliCPU > 0 && a.memory > 0)) return MAX_NODE_SCORE;
  const cpu = Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / a.milliCPU);
  const memory = Math.min(1, (node.requested.memory + pod.requests.memory) / a.memory);
  const std = Math.abs((cpu - memory) / 2);
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class BalancedAllocation implements ScorePlugin {
  readonly name = BALANCED_ALLOCATION;
  score(_s: unknown, pod: PodInfo, node: NodeInfo): number {
    return balancedScore(pod, node);
  }
  scoreAll(_s: unknown, pod: PodInfo, nodes: readonly NodeInfo[], out: number[]): void {
    for (let i = 0; i < nodes.length; i++) out[i] = balancedScore(pod, nodes[i]!);
  }
}
