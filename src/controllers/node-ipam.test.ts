import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { CidrSet, nodeIpamController } from './node-ipam.js';

test('CidrSet hands out /24s round robin, recognises its own and refuses when full', () => {
  const s = new CidrSet('10.42.0.0/23');
  assert.equal(s.count, 2);
  assert.equal(s.indexOf('10.42.1.0/24'), 1);
  assert.equal(s.indexOf('10.43.0.0/24'), undefined);
  assert.equal(s.indexOf('10.42.0.128/25'), undefined);
  s.occupy(0, 'a');
  assert.equal(s.cidrOf(s.allocate('b')!), '10.42.1.0/24');
  assert.equal(s.allocate('c'), undefined);
  s.release(1, 'b');
  assert.equal(s.allocate('c'), 1);
  assert.throws(() => new CidrSet('fd00::/48'), /IPv4/);
});

const node = (name: string, podCIDR?: string): KObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
const cidrOf = async (c: Awaited<ReturnType<typeof startTestCluster>>, name: string) => ((await c.client.get<KObject>(`/api/v1/nodes/${name}`)).spec as { podCIDR?: string }).podCIDR;

test('node IPAM assigns distinct stable /24s, rebuilds from existing nodes, frees on delete', async () => {
  const c = await startTestCluster();
  try {
    // A node that already holds a CIDR before the controller starts keeps it, and no one else gets it.
    await c.client.create('/api/v1/nodes', node('old', '10.42.0.0/24'));
    const ctx = c.context({ clusterCidr: '10.42.0.0/23' });
    void nodeIpamController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    await c.client.create('/api/v1/nodes', node('n1'));
    assert.equal(await until(() => cidrOf(c, 'n1'), 10_000, 'n1 podCIDR'), '10.42.1.0/24');
    const n1 = await c.client.get<KObject>('/api/v1/nodes/n1');
    assert.deepEqual((n1.spec as { podCIDRs?: string[] }).podCIDRs, ['10.42.1.0/24']);
    assert.equal(await cidrOf(c, 'old'), '10.42.0.0/24');

    // Full: the third node waits with a CIDRNotAvailable event…
    await c.client.create('/api/v1/nodes', node('n2'));
    await until(async () => {
      await ctx.recorder.flush();
      const evs = await c.client.list('/api/v1/namespaces/default/events');
      return evs.items.some((e) => e.reason === 'CIDRNotAvailable' && (e.involvedObject as { name: string }).name === 'n2' && e.message === 'Node n2 status is now: CIDRNotAvailable');
    }, 10_000, 'CIDRNotAvailable event');
    assert.equal(await cidrOf(c, 'n2'), undefined);
    // …and gets the subnet freed by a deleted node.
    await c.client.delete('/api/v1/nodes/old');
    assert.equal(await until(() => cidrOf(c, 'n2'), 10_000, 'n2 podCIDR'), '10.42.0.0/24');
    assert.equal(await cidrOf(c, 'n1'), '10.42.1.0/24');
  } finally {
    await c.stop();
  }
});
