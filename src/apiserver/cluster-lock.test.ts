import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBackend } from '../storage/memory.js';
import type { Backend } from '../storage/backend.js';
import { startTestCluster } from '../../test/support/cluster.js';
import { StatusError } from '../api/errors.js';
import { StorageLock } from './cluster-lock.js';

/** `storage` whose creates under `prefix` take 30 ms. */
function slowCreates(storage: Backend, prefix: string): Backend {
  const create = async (key: string, value: string) => {
    if (key.startsWith(prefix)) await new Promise((r) => setTimeout(r, 30));
    return storage.create(key, value);
  };
  return new Proxy(storage, {
    get: (target, prop) => {
      if (prop === 'create') return create;
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

test('the storage lock admits one holder at a time, across lock objects sharing the storage', async () => {
  const backend = createMemoryBackend();
  const a = new StorageLock(backend);
  const b = new StorageLock(backend);
  let inside = 0;
  let most = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? a : b).hold('ns/x', async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 3));
        order.push(i);
        inside--;
      }),
    ),
  );
  assert.equal(most, 1);
  assert.equal(order.length, 12);
  // Released: nothing left in storage.
  assert.equal((await backend.get('/kts/locks/ns/x')).kv, undefined);
  await backend.close();
});

test("a dead holder's lock is overtaken after its deadline; waiting too long is a Timeout", async () => {
  const backend = createMemoryBackend();
  await backend.create('/kts/locks/stale', JSON.stringify({ holder: 'gone', until: Date.now() - 1 }));
  let ran = false;
  await new StorageLock(backend).hold('stale', async () => {
    ran = true;
  });
  assert.ok(ran);
  await backend.create('/kts/locks/busy', JSON.stringify({ holder: 'alive', until: Date.now() + 60_000 }));
  await assert.rejects(new StorageLock(backend, { waitMs: 100 }).hold('busy', async () => {}), (e: unknown) => e instanceof StatusError && e.code === 504);
  await backend.close();
});

test('two API servers on one datastore admit no more pods than the namespace quota allows', async () => {
  // Pods stored with etcd-like latency: the window between counting usage and storing the pod is
  // wide, as it is between servers on a real network.
  const storage = createMemoryBackend();
  const slow = slowCreates(storage, '/registry/pods/');
  const a = await startTestCluster({ backend: slow, sharedDatastore: true });
  const b = await startTestCluster({ backend: slow, sharedDatastore: true });
  try {
    await a.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'q' } });
    await a.client.create('/api/v1/namespaces/q/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods' }, spec: { hard: { pods: '3' } } });
    // Both servers know the quota before the race starts.
    for (const c of [a, b]) {
      for (let i = 0; i < 50 && !(await c.client.list('/api/v1/namespaces/q/resourcequotas')).items.length; i++) await new Promise((r) => setTimeout(r, 20));
    }
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).client.create('/api/v1/namespaces/q/pods', pod(`p${i}`))));
    const admitted = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(admitted, 3, refused.map((r) => (r.reason as Error).message).join('\n'));
    assert.ok(refused.every((r) => /exceeded quota: pods/.test((r.reason as Error).message)));
    assert.equal((await a.client.list('/api/v1/namespaces/q/pods')).items.length, 3);
  } finally {
    await b.stop();
    await a.stop();
    await storage.close();
  }
});

test('two API servers on one datastore hand a requested node port to one Service only, even when their watches lag', async () => {
  const storage = createMemoryBackend();
  const slow = slowCreates(storage, '/registry/services/');
  const a = await startTestCluster({ backend: slow, sharedDatastore: true });
  const b = await startTestCluster({ backend: slow, sharedDatastore: true });
  try {
    const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } });
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).client.create('/api/v1/namespaces/default/services', svc(`s${i}`))));
    const made = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(made, 1, results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'created')).join('\n'));
    assert.ok(results.every((r) => r.status === 'fulfilled' || /provided port is already allocated/.test((r.reason as Error).message)));
  } finally {
    await b.stop();
    await a.stop();
    await storage.close();
  }
});
