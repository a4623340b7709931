import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd } from '../../../test/support/etcd.js';
import { startTestCluster, until } from '../../../test/support/cluster.js';
import { openEtcdBackend } from '../../storage/etcd.js';
import { EtcdClient } from '../../storage/etcd-client.js';
import { createLogger, silentLogger } from '../../util/log.js';
import { removeMembersOfDeletedNodes } from './member-removal.js';

test("deleting a server's Node removes its etcd member (k3s's way out of the cluster); other nodes and this server's own are left", async () => {
  const etcd = await startEtcd({ members: 3 });
  const backend = await openEtcdBackend({ endpoints: etcd.endpoints, compactIntervalMs: 0, log: silentLogger });
  const c = await startTestCluster({ backend, sharedDatastore: true });
  const client = new EtcdClient({ endpoints: [etcd.members[0]!.endpoint] });
  const ac = new AbortController();
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l) });
  try {
    const following = removeMembersOfDeletedNodes({ cache: c.cache, nodesPrefix: c.stores.get('/nodes')!.prefix, client, self: 'm0', log, signal: ac.signal });
    const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    for (const n of ['m0', 'm2', 'worker']) await c.client.create('/api/v1/nodes', node(n));
    const names = async () => (await client.memberList()).map((m) => m.name).sort();
    assert.deepEqual(await names(), ['m0', 'm1', 'm2']);
    // A node that is no member: nothing happens. This server's own node: its member stays.
    await c.client.delete('/api/v1/nodes/worker');
    await c.client.delete('/api/v1/nodes/m0');
    await until(async () => lines.some((l) => l.includes('node m0 (this server) was deleted')));
    assert.deepEqual(await names(), ['m0', 'm1', 'm2']);
    // The node of a server gone for good: its member goes, and writes go on with two members.
    await etcd.members[2]!.stop();
    await c.client.delete('/api/v1/nodes/m2');
    await until(async () => (await names()).join() === 'm0,m1');
    assert.ok(lines.some((l) => /etcd: removed member m2 \(http:\/\/127\.0\.0\.1:\d+\): its node was deleted/.test(l)), lines.join('\n'));
    await c.client.create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' } });
    ac.abort();
    await following;
  } finally {
    ac.abort();
    client.close();
    await c.stop();
    await backend.close();
    await etcd.cleanup();
  }
});
