// PATCH without a resourceVersion is retried on a storage conflict, as upstream's patcher does;
// a resourceVersion the patch or a PUT carries stays a precondition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/errors.js';
import { startTestCluster } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import type { Backend } from '../storage/backend.js';
import { createMemoryBackend } from '../storage/memory.js';

const CM = '/api/v1/namespaces/default/configmaps';

test('concurrent patches without a resourceVersion all land; one with a stale resourceVersion is refused', async () => {
  // Storage that takes a moment to write: concurrent read-modify-writes of one key overlap.
  const inner = createMemoryBackend();
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'update') return async (...args: Parameters<Backend['update']>) => (await new Promise((r) => setTimeout(r, 5)), target.update(...args));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const c = await startTestCluster({ backend });
  // A second API server on the same storage: its writes interleave with the first one's.
  const other = await startTestCluster({ backend });
  try {
    const created = await c.client.create<KObject>(CM, { metadata: { name: 'shared' }, data: {} });
    // Writes racing on one key: each read-modify-write may lose the compare-and-swap to another.
    const n = 24;
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => (i % 2 ? other : c).client.patch(`${CM}/shared`, { metadata: { labels: { [`l${i}`]: 'x' } }, data: { [`k${i}`]: String(i) } })));
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(failed, []);
    const cm = await c.client.get<KObject & { data: Record<string, string> }>(`${CM}/shared`);
    assert.equal(Object.keys(cm.data).length, n);
    assert.equal(Object.keys(cm.metadata.labels ?? {}).length, n);
    // The same through a status subresource (a kubelet's node status beside controllers' writes).
    await c.client.create('/api/v1/nodes', { metadata: { name: 'n1' } });
    const statuses = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => (i % 2 ? other : c).client.patch('/api/v1/nodes/n1/status', { status: { capacity: { [`example.com/r${i}`]: '1' } } })));
    assert.deepEqual(statuses.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
    const node = await c.client.get<KObject & { status: { capacity: Record<string, string> } }>('/api/v1/nodes/n1');
    assert.equal(Object.keys(node.status.capacity).length, 12);
    // A precondition in the patch (the resourceVersion of the first version) still fails, with upstream's words.
    await assert.rejects(c.client.patch(`${CM}/shared`, { metadata: { resourceVersion: created.metadata.resourceVersion }, data: { late: '1' } }), (e: unknown) => e instanceof StatusError && e.code === 409 && /the object has been modified; please apply your changes to the latest version and try again/.test(e.message));
    // So does a PUT of a stale copy.
    await assert.rejects(c.client.update(`${CM}/shared`, { ...created, data: { stale: '1' } }), (e: unknown) => e instanceof StatusError && e.code === 409);
  } finally {
    await other.stop();
    await c.stop();
  }
});
