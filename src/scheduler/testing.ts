// Builders for scheduler unit tests and benchmarks: nodes and pods as plain objects, and a
// Scheduler without an API client loaded with them.
import { silentLogger } from '../util/log.js';
import { Scheduler } from './scheduler.js';
import type { Node, Pod, PodSpec, Taint } from './types.js';

export function makeNode(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  const res = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { capacity: res, allocatable: res },
  };
}

let uid = 0;

export function makePod(name: string, o: { cpu?: string; memory?: string; labels?: Record<string, string>; node?: string; priority?: number; namespace?: string; spec?: Partial<PodSpec> } = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    metadata: { name, namespace: o.namespace ?? 'default', uid: `uid-${++uid}`, labels: o.labels ?? {}, creationTimestamp: new Date(Date.now() + uid).toISOString() },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests } }], nodeName: o.node, priority: o.priority, ...o.spec },
    status: { phase: o.node ? 'Running' : 'Pending' },
  };
}

/** A Scheduler (no API client) holding these nodes and assigned pods. */
export function makeScheduler(nodes: Node[], pods: Pod[] = []): Scheduler {
  const s = new Scheduler({ log: silentLogger });
  for (const n of nodes) s.onNodeAdd(n);
  for (const p of pods) s.onPodAdd(p);
  return s;
}
