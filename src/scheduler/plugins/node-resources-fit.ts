// NodeResourcesFit: the pod's requests (cpu, memory, ephemeral-storage, extended resources, and
// one more pod) must fit in the node's allocatable minus what its pods already request; scores
// with LeastAllocated (cpu and memory, weight 1 each) on the non-zero requests.
import { MAX_NODE_SCORE, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { SUCCESS, unschedulable, type Status } from '../status.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';

/** Whether the pod fits: fits() without building reasons (the common case, once per node). */
export function fitsQuick(pod: PodInfo, node: NodeInfo): boolean {
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.length + 1 > alloc.allowedPodNumber) return false;
  const req = pod.requests;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) return false;
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) return false;
  if (req.scalar.size === 0) return true;
  for (const [name, q] of req.scalar) {
    if (q !== 0 && q > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) return false;
  }
  return true;
}

/** The reasons the pod does not fit (empty when it fits), in upstream's order and wording. */
export function fits(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.length + 1 > alloc.allowedPodNumber) out.push('Too many pods');
  const req = pod.requests;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar.size === 0) return out;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) out.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) out.push('Insufficient memory');
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) out.push('Insufficient ephemeral-storage');
  for (const [name, q] of req.scalar) {
    if (q === 0) continue;
    if (q > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) out.push(`Insufficient ${name}`);
  }
  return out;
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** LeastAllocated over cpu and memory (equal weights), on non-zero requests. */
export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const a = node.allocatable;
  let sum = 0;
  let weights = 0;
  if (a.milliCPU > 0) {
    sum += leastRequested(node.nonZeroCPU + pod.nonZeroCPU, a.milliCPU);
    weights++;
  }
  if (a.memory > 0) {
    sum += leastRequested(node.nonZeroMemory + pod.nonZeroMemory, a.memory);
    weights++;
  }
  return weights ? Math.trunc(sum / weights) : 0;
}

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = NODE_RESOURCES_FIT;
  filter(_s: unknown, pod: PodInfo, node: NodeInfo): Status {
    if (fitsQuick(pod, node)) return SUCCESS;
    const reasons = fits(pod, node);
    return reasons.length ? unschedulable(...reasons) : SUCCESS;
  }
  score(_s: unknown, pod: PodInfo, node: NodeInfo): number {
    return leastAllocatedScore(pod, node);
  }
  scoreAll(_s: unknown, pod: PodInfo, nodes: readonly NodeInfo[], out: number[]): void {
    for (let i = 0; i < nodes.length; i++) out[i] = leastAllocatedScore(pod, nodes[i]!);
  }
}
