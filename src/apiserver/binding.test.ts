import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../test/support/cluster.js';
import { StatusError } from '../api/errors.js';
import type { KObject } from '../api/types.js';

test('pods/binding sets nodeName and PodScheduled in one write; a second binding conflicts', async () => {
  const c = await startTestCluster();
  try {
    await c.client.create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const before = await c.client.get<KObject>('/api/v1/namespaces/default/pods/p');
    await c.client.create('/api/v1/namespaces/default/pods/p/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } });
    const pod = await c.client.get<KObject>('/api/v1/namespaces/default/pods/p');
    assert.equal((pod.spec as { nodeName: string }).nodeName, 'n1');
    const cond = (pod.status as { conditions: { type: string; status: string }[] }).conditions.find((x) => x.type === 'PodScheduled');
    assert.equal(cond?.status, 'True');
    assert.equal(Number(pod.metadata.resourceVersion), Number(before.metadata.resourceVersion) + 1, 'one write');
    await assert.rejects(
      c.client.create('/api/v1/namespaces/default/pods/p/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { name: 'n2' } }),
      (e: unknown) => e instanceof StatusError && e.code === 409 && /already assigned to node "n1"/.test(e.message),
    );
    // An ordinary update still may not move the pod.
    const moved = structuredClone(pod);
    (moved.spec as { nodeName: string }).nodeName = 'n3';
    await assert.rejects(c.client.update('/api/v1/namespaces/default/pods/p', moved), (e: unknown) => e instanceof StatusError && e.code === 422);
  } finally {
    await c.stop();
  }
});
