import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until, type TestCluster } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { silentLogger } from '../util/log.js';
import { runScheduler } from './index.js';
import type { Pod } from './types.js';

function node(name: string, cpu: string, extra: { labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[] } = {}): KObject {
  const res = { cpu, memory: '8Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...extra.labels } },
    spec: extra.taints ? { taints: extra.taints } : {},
    status: { capacity: res, allocatable: res, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function pod(name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}, cpu?: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: cpu ? { requests: { cpu } } : {} }], ...spec },
  };
}

async function getPod(c: TestCluster, name: string, ns = 'default'): Promise<Pod> {
  return c.client.get<Pod>(`/api/v1/namespaces/${ns}/pods/${name}`);
}

async function events(c: TestCluster, name: string, reason: string, ns = 'default'): Promise<{ message: string; type: string }[]> {
  const list = await c.client.list<KObject & { message: string; reason: string; type: string; involvedObject: { name: string } }>(`/api/v1/namespaces/${ns}/events`);
  return list.items.filter((e) => e.involvedObject.name === name && e.reason === reason);
}

async function withScheduler(c: TestCluster, fn: () => Promise<void>): Promise<void> {
  const ac = new AbortController();
  const running = runScheduler({ client: c.client, log: silentLogger, identity: 'test' }, ac.signal);
  try {
    await fn();
  } finally {
    ac.abort();
    await running;
  }
}

const boundNode = (c: TestCluster, name: string): Promise<string> => until(async () => (await getPod(c, name)).spec.nodeName ?? '', 10_000, `${name} bound`);

test('binds pods, honours nodeSelector and schedulerName, reports resource shortage and anti-affinity as upstream', async () => {
  const c = await startTestCluster();
  try {
    for (let i = 0; i < 4; i++) await c.client.create('/api/v1/nodes', node(`node-${i}`, '4'));
    await withScheduler(c, async () => {
      await c.client.create('/api/v1/namespaces/default/pods', pod('p1'));
      const n1 = await boundNode(c, 'p1');
      assert.match(n1, /^node-\d$/);
      const scheduled = await until(() => events(c, 'p1', 'Scheduled').then((e) => e[0]), 10_000, 'Scheduled event');
      assert.equal(scheduled.message, `Successfully assigned default/p1 to ${n1}`);

      // `kubectl label nodes node-2 env=test`, then a pod with that nodeSelector lands there.
      await c.client.patch('/api/v1/nodes/node-2', { metadata: { labels: { env: 'test' } } });
      await c.client.create('/api/v1/namespaces/default/pods', pod('selected', { nodeSelector: { env: 'test' } }));
      assert.equal(await boundNode(c, 'selected'), 'node-2');

      // Pods for another scheduler are left alone.
      await c.client.create('/api/v1/namespaces/default/pods', pod('other', { schedulerName: 'my-scheduler' }));

      // More CPU than any node has: pending, with upstream's wording in the event and the condition.
      await c.client.create('/api/v1/namespaces/default/pods', pod('big', {}, {}, '64'));
      const want = '0/4 nodes are available: 4 Insufficient cpu. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.';
      const failed = await until(() => events(c, 'big', 'FailedScheduling').then((e) => e[0]), 10_000, 'FailedScheduling');
      assert.equal(failed.type, 'Warning');
      assert.equal(failed.message, want);
      const cond = await until(async () => (await getPod(c, 'big')).status?.conditions?.find((x) => x.type === 'PodScheduled'), 10_000, 'condition');
      assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['False', 'Unschedulable', want]);

      // Required anti-affinity on hostname: four replicas spread, the fifth stays pending.
      const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } };
      for (let i = 0; i < 5; i++) await c.client.create('/api/v1/namespaces/default/pods', pod(`web-${i}`, { affinity: anti }, { app: 'web' }));
      const msg = await until(async () => {
        const all = await Promise.all([0, 1, 2, 3, 4].map((i) => getPod(c, `web-${i}`)));
        if (all.filter((p) => p.spec.nodeName).length !== 4) return undefined;
        const pending = all.find((p) => !p.spec.nodeName)!;
        return (await events(c, pending.metadata.name!, 'FailedScheduling'))[0]?.message;
      }, 15_000, 'four web replicas bound and one pending');
      assert.equal(msg, "0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.");
      const nodes = new Set((await Promise.all([0, 1, 2, 3, 4].map((i) => getPod(c, `web-${i}`)))).map((p) => p.spec.nodeName).filter(Boolean));
      assert.equal(nodes.size, 4);

      assert.equal((await getPod(c, 'other')).spec.nodeName, undefined);
      assert.equal((await events(c, 'other', 'FailedScheduling')).length, 0);
    });
  } finally {
    await c.stop();
  }
});

test('FailedScheduling aggregates reasons per node, sorted, with the preemption summary', async () => {
  const c = await startTestCluster();
  try {
    for (let i = 0; i < 2; i++) await c.client.create('/api/v1/nodes', node(`small-${i}`, '2'));
    for (let i = 0; i < 3; i++) await c.client.create('/api/v1/nodes', node(`infra-${i}`, '8', { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] }));
    await withScheduler(c, async () => {
      await c.client.create('/api/v1/namespaces/default/pods', pod('needs4', {}, {}, '4'));
      const e = await until(() => events(c, 'needs4', 'FailedScheduling').then((x) => x[0]), 10_000, 'FailedScheduling');
      assert.equal(e.message, '0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {dedicated: infra}. preemption: 0/5 nodes are available: 2 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.');
      // Tolerating the taint makes it schedulable on an infra node.
      await c.client.create('/api/v1/namespaces/default/pods', pod('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }] }, {}, '4'));
      assert.match(await boundNode(c, 'tolerant'), /^infra-/);
    });
  } finally {
    await c.stop();
  }
});

test('a higher-priority pod preempts a lower-priority one', async () => {
  const c = await startTestCluster();
  const kubelet = new AbortController();
  try {
    await c.client.create('/api/v1/nodes', node('node-0', '2'));
    // Play the kubelet's part for terminating pods: finish their deletion at once.
    const finishing = c.client.watch<Pod>('/api/v1/pods', (ev) => {
      const p = ev.object;
      if (ev.type === 'MODIFIED' && p.metadata.deletionTimestamp) {
        c.client.delete(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`, { gracePeriodSeconds: 0 }).catch(() => {});
      }
    }, kubelet.signal).catch(() => {});
    await withScheduler(c, async () => {
      await c.client.create('/api/v1/namespaces/default/pods', pod('low', {}, {}, '1500m'));
      assert.equal(await boundNode(c, 'low'), 'node-0');
      await c.client.create('/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
      await c.client.create('/api/v1/namespaces/default/pods', pod('high', { priorityClassName: 'high' }, {}, '1'));
      const high = await getPod(c, 'high');
      const preempted = await until(() => events(c, 'low', 'Preempted').then((e) => e[0]), 10_000, 'Preempted event');
      assert.equal(preempted.message, `Preempted by pod ${high.metadata.uid} on node node-0`);
      assert.equal(await until(async () => (await getPod(c, 'high')).spec.nodeName, 15_000, 'high bound'), 'node-0');
      await until(async () => !(await c.client.list('/api/v1/namespaces/default/pods')).items.some((p) => p.metadata.name === 'low'), 10_000, 'low gone');
    });
    kubelet.abort();
    await finishing;
  } finally {
    kubelet.abort();
    await c.stop();
  }
});
