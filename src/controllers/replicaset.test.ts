import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';
import type { TestCluster } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { replicaSetController, replicationControllerController, slowStartBatch } from './replicaset.js';
import type { Pod } from './replicaset-pods.js';
import { podsToDelete } from './replicaset-pods.js';
import { calculateStatus } from './replicaset-status.js';

const RS = '/apis/apps/v1/namespaces/default/replicasets';
const PODS = '/api/v1/namespaces/default/pods';

function replicaSet(name: string, replicas: number, extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, ...extra },
  };
}

/** Polls until fn returns a value (not undefined/false). */
async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
  return (await until(fn, ms, what)) as T;
}

async function podsOf(c: TestCluster, app: string): Promise<Pod[]> {
  return (await c.client.list<Pod>(`${PODS}?labelSelector=app%3D${app}`)).items;
}

async function setReady(c: TestCluster, pod: Pod, since = new Date(Date.now() - 60_000)): Promise<void> {
  const lastTransitionTime = since.toISOString().replace(/\.\d+Z$/, 'Z');
  await c.client.patch(`${PODS}/${pod.metadata.name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime }] } });
}

async function withController(fn: (c: TestCluster) => Promise<void>): Promise<void> {
  const c = await startTestCluster();
  try {
    const ctx = c.context();
    void replicaSetController.start(ctx, c.signal);
    void replicationControllerController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    await fn(c);
  } finally {
    await c.stop();
  }
}

test('slow start batches grow 1, 2, 4 and stop at the first failing batch', async () => {
  const sizes: number[] = [];
  let calls = 0;
  let inBatch = 0;
  const r = await slowStartBatch(10, 1, async () => {
    inBatch++;
    await new Promise((res) => setImmediate(res));
    calls++;
    if (inBatch) {
      sizes.push(inBatch);
      inBatch = 0;
    }
    if (calls === 5) throw new Error('boom');
  });
  assert.deepEqual(sizes, [1, 2, 4]);
  assert.equal(r.successes, 6);
  assert.equal(r.error?.message, 'boom');
});

test('scale-down order: unscheduled, pending, not ready, then newest', () => {
  const t = (s: number): string => new Date(Date.now() - s * 1000).toISOString();
  const mk = (name: string, nodeName: string, phase: string, ready: boolean, created: number): Pod => ({
    metadata: { name, uid: name, creationTimestamp: t(created) },
    spec: { nodeName },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: t(created) }] },
  });
  const pods = [mk('running-old', 'n1', 'Running', true, 100000), mk('unscheduled', '', 'Pending', false, 100000), mk('pending', 'n1', 'Pending', false, 10), mk('notready', 'n1', 'Running', false, 10), mk('running-new', 'n1', 'Running', true, 10)];
  assert.deepEqual(podsToDelete(pods, [], 4).map((p) => p.metadata.name), ['unscheduled', 'pending', 'notready', 'running-new']);
});

test('a create error sets ReplicaFailure, and success clears it', () => {
  const rs = { metadata: { name: 'x', generation: 1 }, spec: { replicas: 2 } };
  const failed = calculateStatus(rs, [], new Error('pods "x-" is forbidden: exceeded quota: q'), -2);
  assert.equal(failed.conditions?.[0]?.type, 'ReplicaFailure');
  assert.equal(failed.conditions?.[0]?.reason, 'FailedCreate');
  const cleared = calculateStatus({ ...rs, status: failed }, [], undefined, 0);
  assert.equal(cleared.conditions, undefined);
});

test('ReplicaSet creates owned pods, reports status, scales up and down in upstream order', async () => {
  await withController(async (c) => {
    const rs = await c.client.create<KObject>(RS, replicaSet('web', 3));
    const pods = await eventually(async () => {
      const p = await podsOf(c, 'web');
      return p.length === 3 ? p : undefined;
    }, '3 pods');
    for (const p of pods) {
      assert.match(p.metadata.name!, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    await setReady(c, pods[0]!);
    await setReady(c, pods[1]!);
    const st = await eventually(async () => {
      const s = (await c.client.get<KObject>(`${RS}/web`)).status as Record<string, number>;
      return s.readyReplicas === 2 && s.availableReplicas === 2 ? s : undefined;
    }, 'ready status');
    assert.equal(st.replicas, 3);
    assert.equal(st.fullyLabeledReplicas, 3);
    assert.equal(st.observedGeneration, 1);
    // Scale to 1: the not-ready pod goes first, and a ready one is kept.
    await c.client.patch(`${RS}/web/scale`, { spec: { replicas: 1 } });
    const left = await eventually(async () => {
      const p = await podsOf(c, 'web');
      return p.length === 1 ? p : undefined;
    }, 'scale down');
    assert.ok([pods[0]!.metadata.name, pods[1]!.metadata.name].includes(left[0]!.metadata.name));
    await c.client.patch(`${RS}/web/scale`, { spec: { replicas: 4 } });
    await until(async () => (await podsOf(c, 'web')).length === 4, 10_000, 'scale up');
    // A deleted pod is replaced.
    await c.client.delete(`${PODS}/${left[0]!.metadata.name}`);
    await until(async () => {
      const p = await podsOf(c, 'web');
      return p.length === 4 && !p.some((x) => x.metadata.name === left[0]!.metadata.name);
    }, 10_000, 'replacement');
    await until(async () => {
      const ev = (await c.client.list('/api/v1/namespaces/default/events')).items as { reason?: string; message?: string }[];
      return ev.some((e) => e.reason === 'SuccessfulCreate' && /^Created pod: web-/.test(e.message ?? '')) && ev.some((e) => e.reason === 'SuccessfulDelete' && /^Deleted pod: web-/.test(e.message ?? ''));
    }, 10_000, 'events');
  });
});

test('ReplicaSet adopts matching orphans and releases pods that stop matching', async () => {
  await withController(async (c) => {
    await c.client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'api' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const rs = await c.client.create<KObject>(RS, replicaSet('api', 2));
    await until(async () => {
      const p = await podsOf(c, 'api');
      const orphan = p.find((x) => x.metadata.name === 'orphan');
      return p.length === 2 && orphan?.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid;
    }, 10_000, 'adoption');
    await c.client.patch(`${PODS}/orphan`, { metadata: { labels: { app: 'other' } } });
    await until(async () => {
      const released = await c.client.get<Pod>(`${PODS}/orphan`);
      return (released.metadata.ownerReferences ?? []).length === 0 && (await podsOf(c, 'api')).length === 2;
    }, 10_000, 'release and replacement');
  });
});

test('availableReplicas waits for minReadySeconds', async () => {
  await withController(async (c) => {
    await c.client.create(RS, replicaSet('slow', 1, { minReadySeconds: 1 }));
    const [pod] = await eventually(async () => {
      const p = await podsOf(c, 'slow');
      return p.length === 1 ? p : undefined;
    }, 'pod');
    await setReady(c, pod!, new Date());
    await until(async () => ((await c.client.get<KObject>(`${RS}/slow`)).status as Record<string, number>).readyReplicas === 1, 10_000, 'ready');
    assert.equal(((await c.client.get<KObject>(`${RS}/slow`)).status as Record<string, number>).availableReplicas ?? 0, 0);
    await until(async () => ((await c.client.get<KObject>(`${RS}/slow`)).status as Record<string, number>).availableReplicas === 1, 10_000, 'available');
  });
});

test('ReplicationController keeps its replicas with a map selector', async () => {
  await withController(async (c) => {
    const rc = await c.client.create<KObject>('/api/v1/namespaces/default/replicationcontrollers', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy' },
      spec: { replicas: 2, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const pods = await eventually(async () => {
      const p = await podsOf(c, 'legacy');
      return p.length === 2 ? p : undefined;
    }, 'rc pods');
    assert.equal(pods[0]!.metadata.ownerReferences?.[0]?.kind, 'ReplicationController');
    assert.equal(pods[0]!.metadata.ownerReferences?.[0]?.uid, rc.metadata.uid);
    await until(async () => ((await c.client.get<KObject>('/api/v1/namespaces/default/replicationcontrollers/legacy')).status as Record<string, number>).replicas === 2, 10_000, 'rc status');
  });
});
