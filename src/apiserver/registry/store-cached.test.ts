import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';

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
