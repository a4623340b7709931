import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/types.js';
import { desiredIngress, lbAddresses, lbChanged, lbView, ENABLE_LB_LABEL } from './service-lb.js';

const node = (name: string, ip: string, ready = true, labels: Record<string, string> = {}, external?: string): KObject => ({
  metadata: { name, labels },
  status: { addresses: [{ type: 'InternalIP', address: ip }, ...(external ? [{ type: 'ExternalIP', address: external }] : [])], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const svc = (name: string, type: string, ports: number[], created: string, extra: Record<string, unknown> = {}, ingress?: string[]): KObject => ({
  metadata: { namespace: 'default', name, creationTimestamp: created },
  spec: { type, ports: ports.map((port) => ({ port, protocol: 'TCP' })), ...extra },
  ...(ingress ? { status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } } } : {}),
});

test('addresses: Ready nodes, ExternalIP before InternalIP, only enablelb=true nodes when any is labelled', () => {
  assert.deepEqual(lbAddresses([node('a', '10.0.0.2'), node('b', '10.0.0.3', false), node('c', '10.0.0.4', true, {}, '203.0.113.4')]), ['10.0.0.2', '203.0.113.4']);
  assert.deepEqual(lbAddresses([node('a', '10.0.0.2'), node('c', '10.0.0.4', true, { [ENABLE_LB_LABEL]: 'true' })]), ['10.0.0.4']);
  assert.deepEqual(lbAddresses([node('a', '10.0.0.2', true, { [ENABLE_LB_LABEL]: 'false' }), node('c', '10.0.0.4')]), ['10.0.0.4']);
});

test('ingress: LoadBalancer Services get the addresses; a port held by an older one stays pending; others are left alone or cleared', () => {
  const want = desiredIngress(
    [
      svc('old', 'LoadBalancer', [80], '2026-01-01T00:00:00Z'),
      svc('clash', 'LoadBalancer', [443, 80], '2026-01-02T00:00:00Z'),
      svc('other', 'LoadBalancer', [8080], '2026-01-03T00:00:00Z'),
      svc('classed', 'LoadBalancer', [9000], '2026-01-03T00:00:00Z', { loadBalancerClass: 'example.com/lb' }),
      svc('plain', 'ClusterIP', [80], '2026-01-03T00:00:00Z'),
      svc('was-lb', 'NodePort', [81], '2026-01-03T00:00:00Z', {}, ['10.0.0.2']),
    ],
    () => ['10.0.0.2'],
  );
  assert.deepEqual(Object.fromEntries(want), { 'default/old': ['10.0.0.2'], 'default/clash': [], 'default/other': ['10.0.0.2'], 'default/was-lb': [] });
});

test('the cached view of a Node keeps what lbAddresses reads, and gives the same addresses', () => {
  type Status = { addresses: unknown[]; conditions: unknown[]; capacity?: unknown };
  const full: KObject = { ...node('c', '10.0.0.4', true, { [ENABLE_LB_LABEL]: 'true' }, '203.0.113.4'), spec: { podCIDR: '10.42.0.0/24' } };
  const status = full.status as Status;
  status.capacity = { cpu: '32' };
  status.conditions.push({ type: 'MemoryPressure', status: 'False', message: 'fine' });
  const view = lbView(full);
  assert.equal('spec' in view, false);
  assert.deepEqual(view.status, { addresses: status.addresses, conditions: [{ type: 'Ready', status: 'True' }] });
  const nodes = [full, node('a', '10.0.0.2'), node('b', '10.0.0.3', false)];
  assert.deepEqual(lbAddresses(nodes.map(lbView)), lbAddresses(nodes));
});

test('node addresses are computed only when some Service is a LoadBalancer', () => {
  let calls = 0;
  const addresses = () => (calls++, ['10.0.0.2']);
  assert.deepEqual(Object.fromEntries(desiredIngress([svc('plain', 'ClusterIP', [80], '2026-01-03T00:00:00Z')], addresses)), {});
  assert.equal(calls, 0);
  desiredIngress([svc('lb', 'LoadBalancer', [80], '2026-01-03T00:00:00Z')], addresses);
  assert.equal(calls, 1);
});

test('a node update matters only when readiness, addresses or the enablelb label change', () => {
  const a = lbView(node('a', '10.0.0.2'));
  assert.equal(lbChanged(a, { ...lbView(node('a', '10.0.0.2')), metadata: { ...a.metadata, resourceVersion: '9' } }), false);
  assert.equal(lbChanged(a, lbView(node('a', '10.0.0.2', false))), true);
  assert.equal(lbChanged(a, lbView(node('a', '10.0.0.9'))), true);
  assert.equal(lbChanged(a, lbView(node('a', '10.0.0.2', true, { [ENABLE_LB_LABEL]: 'true' }))), true);
  assert.equal(lbChanged(a, lbView(node('a', '10.0.0.2', true, { other: 'x' }))), false);
});
