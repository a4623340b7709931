// Container resources as upstream's kubelet sets them on cgroup v1: CPU shares from the request,
// CFS quota from the limit, the memory limit, and an OOM score adjustment by QoS class; plus the
// pod cgroup parent under /kubepods.
import { parseQuantity, type Quantity } from '../../api/quantity.js';
import { qosClass, type QOSClass } from '../../api/qos.js';
import type { LinuxContainerResources } from '../cri/types.js';
import type { Container, Pod } from './types.js';

export { qosClass, type QOSClass };

const MIN_SHARES = 2;
const MAX_SHARES = 262144;
const SHARES_PER_CPU = 1024;
export const CFS_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1000;
const GUARANTEED_OOM_SCORE_ADJ = -997;
const BEST_EFFORT_OOM_SCORE_ADJ = 1000;
const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

/** `/kubepods/pod<uid>` (Guaranteed), `/kubepods/burstable/pod<uid>` or `/kubepods/besteffort/pod<uid>`. */
export function podCgroupParent(pod: Pod): string {
  const uid = pod.metadata.uid ?? '';
  switch (qosClass(pod)) {
    case 'Guaranteed':
      return `/kubepods/pod${uid}`;
    case 'Burstable':
      return `/kubepods/burstable/pod${uid}`;
    default:
      return `/kubepods/besteffort/pod${uid}`;
  }
}

/** Quantity.MilliValue(): thousandths, rounded up. */
export function milliValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, 1_000_000n);
}
/** Quantity.Value(): whole units, rounded up. */
export function unitValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, 1_000_000_000n);
}
function ceilDiv(a: bigint, b: bigint): bigint {
  return a >= 0n ? (a + b - 1n) / b : a / b;
}

export function milliCpuToShares(milliCpu: number): number {
  if (milliCpu === 0) return MIN_SHARES;
  const shares = Math.floor((milliCpu * SHARES_PER_CPU) / 1000);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

export function milliCpuToQuota(milliCpu: number, period = CFS_PERIOD_US): number {
  if (milliCpu === 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((milliCpu * period) / 1000));
}

function resource(list: Record<string, string | number> | undefined, name: string): Quantity | undefined {
  const v = list?.[name];
  if (v === undefined) return undefined;
  const q = parseQuantity(v);
  if (!q) throw new Error(`invalid quantity ${JSON.stringify(v)} for resource ${name}`);
  return q;
}

/** Node-critical pods (system-node-critical) get the Guaranteed score whatever their resources. */
function isNodeCritical(pod: Pod): boolean {
  return pod.spec.priorityClassName === 'system-node-critical' && (pod.spec.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY;
}

/** OOM score adjustment: Guaranteed −997, BestEffort 1000, Burstable by memory request share in [3, 999]. */
export function oomScoreAdj(pod: Pod, container: Container, nodeMemoryBytes: number): number {
  if (isNodeCritical(pod)) return GUARANTEED_OOM_SCORE_ADJ;
  const qos = qosClass(pod);
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BEST_EFFORT_OOM_SCORE_ADJ;
  const memRequest = resource(container.resources?.requests, 'memory');
  const request = memRequest ? unitValue(memRequest) : 0n;
  const capacity = BigInt(Math.max(1, Math.floor(nodeMemoryBytes)));
  const adj = Number(1000n - (1000n * request) / capacity);
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj === BEST_EFFORT_OOM_SCORE_ADJ) return adj - 1;
  return adj;
}

/** linux.resources of a CRI ContainerConfig. */
export function linuxResources(pod: Pod, container: Container, nodeMemoryBytes: number): LinuxContainerResources {
  const cpuRequest = resource(container.resources?.requests, 'cpu');
  const cpuLimit = resource(container.resources?.limits, 'cpu');
  const memLimit = resource(container.resources?.limits, 'memory');
  const sharesFrom = cpuRequest ?? cpuLimit;
  const out: LinuxContainerResources = {
    cpuShares: milliCpuToShares(sharesFrom ? Number(milliValue(sharesFrom)) : 0),
    cpuPeriod: CFS_PERIOD_US,
    cpuQuota: milliCpuToQuota(cpuLimit ? Number(milliValue(cpuLimit)) : 0),
    oomScoreAdj: oomScoreAdj(pod, container, nodeMemoryBytes),
  };
  if (memLimit && memLimit.nanos > 0n) out.memoryLimitInBytes = String(unitValue(memLimit));
  return out;
}
