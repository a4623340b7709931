import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { InformerFactory, InformerPool } from './informer.js';

const CM = '/api/v1/namespaces/default/configmaps';

test('two components share one pooled informer; each keeps its own handlers, and the last to stop stops it', async () => {
  const c = await startTestCluster();
  try {
    const pool = new InformerPool(c.client);
    const a = new AbortController();
    const b = new AbortController();
    const fa = new InformerFactory(c.client, { pool });
    const fb = new InformerFactory(c.client, { pool });
    const seenA: string[] = [];
    const seenB: string[] = [];
    const ia = fa.informer('', 'v1', 'configmaps');
    const ib = fb.informer('', 'v1', 'configmaps');
    ia.addHandler({ onAdd: (o) => seenA.push(o.metadata.name!) });
    fa.start(a.signal);
    await fa.waitForSync();
    assert.equal(pool.size, 1);
    await c.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } });
    await until(() => seenA.includes('one'));

    // A late component sees the current state at once, from the same cache (no second watch).
    ib.addHandler({ onAdd: (o) => seenB.push(o.metadata.name!) });
    fb.start(b.signal);
    assert.equal(pool.size, 1);
    assert.ok(seenB.includes('one'));
    assert.equal(ib.get('default', 'one'), ia.get('default', 'one'));

    // The first component stops: its handlers go, the informer runs on for the second.
    a.abort();
    await fa.stopped();
    await c.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' } });
    await until(() => seenB.includes('two'));
    assert.equal(seenA.includes('two'), false);
    assert.equal(pool.size, 1);

    b.abort();
    await fb.stopped();
    await pool.stopped();
    assert.equal(pool.size, 0);

    // A component starting again gets a fresh informer that lists the current state.
    const again = new AbortController();
    const fc = new InformerFactory(c.client, { pool });
    const ic = fc.informer<KObject>('', 'v1', 'configmaps');
    fc.start(again.signal);
    await fc.waitForSync();
    assert.ok(ic.get('default', 'two'));
    again.abort();
    await pool.stopped();
  } finally {
    await c.stop();
  }
});

test("a pooled informer's resync reaches only the handlers of the component that asked for it", async () => {
  const c = await startTestCluster();
  try {
    const pool = new InformerPool(c.client);
    const ac = new AbortController();
    await c.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r' } });
    const resyncing = new InformerFactory(c.client, { pool, resyncMs: 50 });
    const quiet = new InformerFactory(c.client, { pool });
    let resynced = 0;
    let quietUpdates = 0;
    resyncing.informer('', 'v1', 'configmaps').addHandler({ onUpdate: (o, n) => o === n && resynced++ });
    quiet.informer('', 'v1', 'configmaps').addHandler({ onUpdate: () => quietUpdates++ });
    resyncing.start(ac.signal);
    quiet.start(ac.signal);
    await until(() => resynced >= 2);
    assert.equal(quietUpdates, 0);
    ac.abort();
    await pool.stopped();
  } finally {
    await c.stop();
  }
});
