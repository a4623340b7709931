import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredRoutes, localSubnets, onLink } from './host-gw.js';

const ADDR = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
5: kmn1    inet 10.252.7.1/24 scope global kmn1\\       valid_lft forever preferred_lft forever`;

const node = (name: string, ip: string, cidr?: string, simulated = false) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, annotations: (simulated ? { 'kts.io/simulated': 'true' } : {}) as Record<string, string> },
  spec: { podCIDR: cidr },
  status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
});

test('local subnets from ip -o addr, loopback excluded; on-link addresses', () => {
  const s = localSubnets(ADDR);
  assert.equal(s.length, 2);
  assert.equal(onLink('10.252.7.3', s), true);
  assert.equal(onLink('192.0.2.77', s), true);
  assert.equal(onLink('10.252.8.3', s), false);
  assert.equal(onLink('127.0.0.1', s), false);
});

test('routes: other real nodes with a pod CIDR on a connected subnet; self, simulated and CIDR-less nodes skipped; off-link reported', () => {
  const s = localSubnets(ADDR);
  const { routes, offLink } = desiredRoutes([node('me', '10.252.7.1', '10.42.0.0/24'), node('b', '10.252.7.2', '10.42.1.0/24'), node('c', '10.9.9.9', '10.42.2.0/24'), node('sim', '10.252.7.9', '10.42.3.0/24', true), node('new', '10.252.7.4')], 'me', s);
  assert.deepEqual([...routes], [['10.42.1.0/24', { via: '10.252.7.2', node: 'b' }]]);
  assert.deepEqual(offLink, ['c (10.9.9.9)']);
});
