import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../test/support/cluster.js';
import { silentLogger } from '../util/log.js';
import { labelServerNode, serverRoleLabels } from './node-roles.js';

test("a server's node gets k3s's role labels once it registers, once", async () => {
  const c = await startTestCluster();
  const ac = new AbortController();
  try {
    assert.deepEqual(serverRoleLabels(false), { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' });
    assert.deepEqual(Object.keys(serverRoleLabels(true)), ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master', 'node-role.kubernetes.io/etcd']);
    const labelling = labelServerNode(c.stores.get('/nodes')!, 'srv', serverRoleLabels(true), silentLogger, ac.signal, 20);
    // Registered after the server started, with labels of its own.
    await new Promise((r) => setTimeout(r, 60));
    await c.client.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'srv', labels: { 'kubernetes.io/hostname': 'srv' } } });
    await labelling;
    const node = await c.client.get('/api/v1/nodes/srv');
    assert.deepEqual(node.metadata.labels, { 'kubernetes.io/hostname': 'srv', 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true', 'node-role.kubernetes.io/etcd': 'true' });
    // Already labelled: nothing is written.
    const rv = node.metadata.resourceVersion;
    await labelServerNode(c.stores.get('/nodes')!, 'srv', serverRoleLabels(true), silentLogger, ac.signal, 20);
    assert.equal((await c.client.get('/api/v1/nodes/srv')).metadata.resourceVersion, rv);
  } finally {
    ac.abort();
    await c.stop();
  }
});
