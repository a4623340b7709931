// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in similar
// proportions after placing the pod (score = (1 - std of the fractions) × 100).
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';

export const BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

export function balancedScore(pod: PodInfo, node: NodeInfo): number {
  const a = node.allocatable;
  const fractions: number[] = [];
  if (a.milliCPU > 0) fractions.push(Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / a.milliCPU));
  if (a.memory > 0) fractions.push(Math.min(1, (node.requested.memory + pod.requests.memory) / a.memory));
  const std = fractions.length === 2 ? Math.abs((fractions[0]! - fractions[1]!) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class BalancedAllocation implements ScorePlugin {
  readonly name = BALANCED_ALLOCATION;
  score(_s: unknown, pod: PodInfo, node: NodeInfo): number {
    return balancedScore(pod, node);
  }
}
