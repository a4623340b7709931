// Pod QoS class (Guaranteed, Burstable, BestEffort) computed with exact quantities, as upstream's
// ComputePodQOS: only cpu and memory count, zero values are ignored, init containers count.
import { add, cmp, parseQuantity, type Quantity } from './quantity.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

interface ContainerResources {
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}
interface PodLike {
  [key: string]: unknown;
  spec?: unknown;
}

const COMPUTE = ['cpu', 'memory'];

/**
 * The pod's QoS class. A request that is absent while its limit is set counts as equal to the
 * limit (the API server defaults it so; doing it here keeps undefaulted pods consistent).
 */
export function qosClass(pod: PodLike): QOSClass {
  const spec = (pod.spec ?? {}) as { containers?: ContainerResources[]; initContainers?: ContainerResources[] };
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    const limitsFound = new Set<string>();
    for (const name of COMPUTE) {
      const l = positive(lim[name]);
      const r = req[name] === undefined ? l : positive(req[name]);
      if (r) requests.set(name, requests.has(name) ? add(requests.get(name)!, r) : r);
      if (l) {
        limitsFound.add(name);
        limits.set(name, limits.has(name) ? add(limits.get(name)!, l) : l);
      }
    }
    if (!COMPUTE.every((n) => limitsFound.has(n))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, r] of requests) {
      const l = limits.get(name);
      if (!l || cmp(l, r) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function positive(v: unknown): Quantity | undefined {
  const q = v === undefined ? undefined : parseQuantity(v);
  return q && q.nanos > 0n ? q : undefined;
}
