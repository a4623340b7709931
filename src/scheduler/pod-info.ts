// PodInfo: a pod with everything the plugins need computed once when it enters the scheduler
// (requests, host ports, compiled affinity terms), so per-node work stays cheap.
import { compileAffinityTerm, type AffinityTerm, type WeightedAffinityTerm } from './match.js';
import { podRequests, type Resource } from './resources.js';
import { podKey, podPriority, type Pod } from './types.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  pod: Pod;
  key: string;
  namespace: string;
  labels: Record<string, string>;
  priority: number;
  requests: Resource;
  /** cpu/memory with upstream's defaults for containers that request nothing (scoring). */
  nonZeroCPU: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  /** A stable key of the label set (pods of one ReplicaSet share it), for the cache's label index. */
  labelsKey: string;
  terminating: boolean;
}

export function labelsKeyOf(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  let s = '';
  for (const k of keys) s += `${k}\u0000${labels[k]}\u0001`;
  return s;
}

export function newPodInfo(pod: Pod): PodInfo {
  const spec = pod.spec;
  const requests = podRequests(pod);
  const nonZero = podRequests(pod, true);
  const hostPorts: HostPort[] = [];
  for (const c of [...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(spec.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  const pa = spec.affinity?.podAffinity;
  const paa = spec.affinity?.podAntiAffinity;
  const labels = pod.metadata.labels ?? {};
  return {
    pod,
    key: podKey(pod),
    namespace: pod.metadata.namespace ?? '',
    labels,
    priority: podPriority(pod),
    requests,
    nonZeroCPU: nonZero.milliCPU,
    nonZeroMemory: nonZero.memory,
    hostPorts,
    requiredAffinity: (pa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileAffinityTerm(t, pod)),
    requiredAntiAffinity: (paa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileAffinityTerm(t, pod)),
    preferredAffinity: (pa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...compileAffinityTerm(w.podAffinityTerm, pod), weight: w.weight })),
    preferredAntiAffinity: (paa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...compileAffinityTerm(w.podAffinityTerm, pod), weight: w.weight })),
    labelsKey: labelsKeyOf(labels),
    terminating: !!pod.metadata.deletionTimestamp,
  };
}

export function hasPodAffinity(p: PodInfo): boolean {
  return p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
}

/** The same PodInfo bound to a node (for assume): only the pod object changes. */
export function withNodeName(p: PodInfo, nodeName: string): PodInfo {
  return { ...p, pod: { ...p.pod, spec: { ...p.pod.spec, nodeName } } };
}
