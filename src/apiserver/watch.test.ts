import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';

const cms = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels } });

test('selector watches: objects entering and leaving the selection are ADDED and DELETED, whether they existed before the watch, came in its initial list, or were created during it', async () => {
  const c = await startTestCluster();
  try {
    const label = (name: string, pick: string | null) => c.client.patch(`${cms}/${name}`, { metadata: { labels: { pick } } });
    // Before the watch: one selected (listed by resourceVersion=0), one not.
    await c.client.create(cms, cm('listed', { pick: 'yes' }));
    await c.client.create(cms, cm('older'));
    const fromRv = (await c.client.list(cms)).metadata.resourceVersion!;
    const seen: Record<string, string[]> = { initial: [], resumed: [], all: [] };
    const ac = new AbortController();
    const watching = [
      c.client.watch<KObject>(`${cms}?resourceVersion=0&labelSelector=pick%3Dyes`, (e) => seen.initial!.push(`${e.type} ${e.object.metadata.name} ${e.object.metadata.labels?.pick ?? '-'}`), ac.signal),
      c.client.watch<KObject>(`${cms}?resourceVersion=${fromRv}&labelSelector=pick%3Dyes`, (e) => seen.resumed!.push(`${e.type} ${e.object.metadata.name} ${e.object.metadata.labels?.pick ?? '-'}`), ac.signal),
      c.client.watch<KObject>(`${cms}?resourceVersion=${fromRv}`, (e) => seen.all!.push(`${e.type} ${e.object.metadata.name}`), ac.signal),
    ];
    await new Promise((r) => setTimeout(r, 100));
    await label('listed', null); // leaves
    await label('older', 'yes'); // enters
    await c.client.patch(`${cms}/older`, { data: { k: 'v' } }); // stays in
    await label('older', null); // leaves
    await c.client.create(cms, cm('fresh')); // created outside
    await label('fresh', 'yes'); // enters
    await label('fresh', null); // leaves
    await label('fresh', 'yes'); // enters again
    await c.client.delete(`${cms}/fresh`); // deleted while selected
    await c.client.create(cms, cm('fresh')); // re-created outside, then deleted outside
    await c.client.delete(`${cms}/fresh`);
    const expected = ['ADDED older yes', 'MODIFIED older yes', 'DELETED older yes', 'ADDED fresh yes', 'DELETED fresh yes', 'ADDED fresh yes', 'DELETED fresh yes'];
    await until(async () => seen.initial!.length >= 9 && seen.resumed!.length >= 8 && seen.all!.length >= 11);
    ac.abort();
    await Promise.all(watching);
    // A DELETED for leaving carries the last selected state.
    assert.deepEqual(seen.initial, ['ADDED listed yes', 'DELETED listed yes', ...expected]);
    assert.deepEqual(seen.resumed, ['DELETED listed yes', ...expected]);
    assert.deepEqual(seen.all, ['MODIFIED listed', 'MODIFIED older', 'MODIFIED older', 'MODIFIED older', 'ADDED fresh', 'MODIFIED fresh', 'MODIFIED fresh', 'MODIFIED fresh', 'DELETED fresh', 'ADDED fresh', 'DELETED fresh']);
  } finally {
    await c.stop();
  }
});
