// An in-process benchmark of the scheduling loop: N nodes labelled as kts's nodes are, M pods of
// one ReplicaSet (100m cpu, 128Mi each, the tolerations admission adds, spread by upstream's
// system default constraints as a ReplicaSet's pods are), a binder that confirms bindings at once
// instead of calling the API. Measures the scheduler's own throughput (pods/s), excluding the API
// server.
import { silentLogger } from '../util/log.js';
import { buildPlugins } from './registry.js';
import { Scheduler } from './scheduler.js';
import { SUCCESS } from './status.js';
import type { BindPlugin, Handle } from './framework.js';
import type { Node, Pod } from './types.js';

export interface BenchmarkResult {
  nodes: number;
  pods: number;
  ms: number;
  podsPerSecond: number;
}

export function benchNode(i: number, cpu = '32', memory = '256Gi', pods = '110'): Node {
  const name = `node-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
    },
    spec: {},
    status: { capacity: { cpu, memory, pods }, allocatable: { cpu, memory, pods } },
  };
}

const BENCH_LABELS = { app: 'bench', 'pod-template-hash': 'abc' };

export function benchPod(i: number, namespace = 'default'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pod-${i}`,
      namespace,
      uid: `uid-${i}`,
      labels: BENCH_LABELS,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'bench-abc', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      schedulerName: 'default-scheduler',
      containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '128Mi' } } }],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: { phase: 'Pending' },
  };
}

export async function benchmarkScheduler(o: { nodes: number; pods: number }): Promise<BenchmarkResult> {
  const holder: { scheduler?: Scheduler } = {};
  let done!: () => void;
  let bound = 0;
  const finished = new Promise<void>((r) => (done = r));
  const binder: BindPlugin = {
    name: 'DefaultBinder',
    async bind(pod, nodeName) {
      holder.scheduler!.onPodUpdate(pod.pod, { ...pod.pod, spec: { ...pod.pod.spec, nodeName } });
      if (++bound >= o.pods) queueMicrotask(done);
      return SUCCESS;
    },
  };
  const plugins = (h: Handle) => [...buildPlugins(h).filter((p) => p.plugin.name !== 'DefaultBinder'), { plugin: binder }];
  // The owning ReplicaSet's selector, as the scheduler's informers find it for system default spreading.
  const listers = { defaultSpreadSelector: (pod: Pod) => (pod.metadata.ownerReferences?.length ? { matchLabels: BENCH_LABELS } : undefined) };
  const scheduler = (holder.scheduler = new Scheduler({ log: silentLogger, plugins, listers }));
  for (let i = 0; i < o.nodes; i++) scheduler.onNodeAdd(benchNode(i));
  const ac = new AbortController();
  const start = performance.now();
  for (let i = 0; i < o.pods; i++) scheduler.onPodAdd(benchPod(i));
  const running = scheduler.run(ac.signal);
  await finished;
  const ms = performance.now() - start;
  ac.abort();
  await running;
  return { nodes: o.nodes, pods: o.pods, ms, podsPerSecond: (o.pods * 1000) / ms };
}
