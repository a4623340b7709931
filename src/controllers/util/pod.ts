// Pod helpers shared by the Endpoints, EndpointSlice, ResourceQuota and disruption controllers:
// the typed view of the pod fields they read, readiness (podutil.IsPodReady), upstream's
// ShouldPodBeInEndpoints and FindPort, and pod resource requests/limits as quota counts them.
import type { KObject } from '../../api/types.js';
import { addQuantity, parseQuantity, zeroQuantity, type Quantity } from './quantity.js';

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

export interface Container {
  name?: string;
  ports?: ContainerPort[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  restartPolicy?: string;
}

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export interface PodSpec {
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
  containers?: Container[];
  initContainers?: Container[];
  restartPolicy?: string;
  overhead?: Record<string, unknown>;
  priorityClassName?: string;
  activeDeadlineSeconds?: number;
  affinity?: Record<string, unknown>;
}

export interface PodStatus {
  phase?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  conditions?: PodCondition[];
}

export type Pod = KObject & { spec?: PodSpec; status?: PodStatus };

export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

/** Upstream endpointsliceutil.ShouldPodBeInEndpoints. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  const policy = pod.spec?.restartPolicy;
  if (policy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (policy === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

export interface ServicePort {
  name?: string;
  protocol?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

/** The container port a service port resolves to on this pod (podutil.FindPort), or undefined. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && /^[0-9]+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

export type ResourceSums = Map<string, Quantity>;

function addList(into: ResourceSums, list: Record<string, unknown> | undefined): void {
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = parseQuantity(v);
    if (q) into.set(k, addQuantity(into.get(k) ?? zeroQuantity, q));
  }
}

function maxInto(into: ResourceSums, other: ResourceSums): void {
  for (const [k, v] of other) {
    const cur = into.get(k);
    if (!cur || cur.nanos < v.nanos) into.set(k, v);
  }
}

/**
 * Effective pod requests or limits as upstream's resourcehelper.PodRequests/PodLimits: the sum of
 * app containers and sidecars (restartable init containers), at least each init container plus
 * the sidecars started before it, plus pod overhead.
 */
export function podResources(pod: Pod, which: 'requests' | 'limits'): ResourceSums {
  const total: ResourceSums = new Map();
  for (const c of pod.spec?.containers ?? []) addList(total, c.resources?.[which]);
  const sidecars: ResourceSums = new Map();
  const initMax: ResourceSums = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy === 'Always') {
      addList(sidecars, c.resources?.[which]);
      addList(total, c.resources?.[which]);
      maxInto(initMax, sidecars);
    } else {
      const step: ResourceSums = new Map(sidecars);
      addList(step, c.resources?.[which]);
      maxInto(initMax, step);
    }
  }
  maxInto(total, initMax);
  if (pod.spec?.overhead) {
    // Overhead counts towards limits only where a limit is set (upstream PodLimits).
    const overhead: ResourceSums = new Map();
    addList(overhead, pod.spec.overhead);
    for (const [k, v] of overhead) {
      const cur = total.get(k);
      if (which === 'requests' || cur) total.set(k, addQuantity(cur ?? zeroQuantity, v));
    }
  }
  return total;
}
