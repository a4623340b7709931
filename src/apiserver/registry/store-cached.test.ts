import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import type { Backend } from '../../storage/backend.js';
import { createMemoryBackend } from '../../storage/memory.js';

test("getCached: the same object until the resource changes on any server; a miss asks storage", async () => {
  const a = await startTestCluster();
  const b = await startTestCluster({ backend: a.backend });
  try {
    const ns = b.stores.get('/namespaces')!;
    // Created through the other server a moment ago: never reported missing (a miss reads storage).
    await a.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh' } });
    const first = await ns.getCached('', 'fresh');
    assert.equal(first?.metadata.name, 'fresh');
    assert.equal(await ns.getCached('', 'fresh'), first, 'served from the memo');
    // Changed through the other server: the watch drops the memo, the new labels are read.
    await a.client.patch('/api/v1/namespaces/fresh', { metadata: { labels: { team: 'x' } } });
    await until(async () => (await ns.getCached('', 'fresh'))?.metadata.labels?.team === 'x');
    const changed = (await ns.getCached('', 'fresh')) as KObject;
    assert.notEqual(changed, first);
    assert.equal(await ns.getCached('', 'missing'), undefined);
  } finally {
    await b.stop();
    await a.stop();
  }
});

type ConfigMap = KObject & { data?: Record<string, string> };

test('single-key reads come from the watch cache when it has seen every write; writes stay guarded across servers', async () => {
  const inner = createMemoryBackend();
  let storageGets = 0;
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'get') return (...args: Parameters<Backend['get']>) => (storageGets++, target.get(...args));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const a = await startTestCluster({ backend });
  const b = await startTestCluster({ backend });
  try {
    const path = '/api/v1/namespaces/default/configmaps';
    await a.client.create(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rw' }, data: { n: '0' } });
    // Both caches have seen every write: updates and gets read no storage.
    await until(async () => (await a.client.get<ConfigMap>(`${path}/rw`)).data !== undefined && (await b.client.get<ConfigMap>(`${path}/rw`)).data !== undefined);
    let cur: ConfigMap = await a.client.get<ConfigMap>(`${path}/rw`);
    for (let i = 1; i <= 5; i++) cur = await a.client.update<ConfigMap>(`${path}/rw`, { ...cur, data: { n: String(i) } });
    // Alternating servers: each update carries the resourceVersion the other server just wrote;
    // a cache that has not seen it yet reads storage, never refuses it as stale.
    for (let i = 6; i <= 30; i++) cur = await (i % 2 ? a : b).client.update<ConfigMap>(`${path}/rw`, { ...cur, data: { n: String(i) } });
    assert.equal(cur.data?.n, '30');
    // An update with an old resourceVersion is still a conflict.
    await assert.rejects(a.client.update(`${path}/rw`, { ...cur, metadata: { ...cur.metadata, resourceVersion: String(Number(cur.metadata.resourceVersion) - 1) } }), (e: Error & { code?: number }) => e.code === 409);
    // Deleted through one server: the other answers 404 (from its cache or storage).
    await a.client.delete(`${path}/rw`);
    await assert.rejects(b.client.get(`${path}/rw`), (e: Error & { code?: number }) => e.code === 404);
    // Quiet: reads and writes on one server without storage reads.
    await a.client.create(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'quiet' }, data: { n: '0' } });
    // Let both caches take in the create.
    await new Promise((r) => setTimeout(r, 50));
    const quiet = storageGets;
    cur = await a.client.get<ConfigMap>(`${path}/quiet`);
    for (let i = 1; i <= 5; i++) cur = await a.client.update<ConfigMap>(`${path}/quiet`, { ...cur, data: { n: String(i) } });
    await a.client.patch(`${path}/quiet`, { data: { n: 'patched' } });
    assert.equal(storageGets, quiet, 'no storage reads while the cache is in step');
    assert.equal((await a.client.get<ConfigMap>(`${path}/quiet`)).data?.n, 'patched');
  } finally {
    await b.stop();
    await a.stop();
  }
});
