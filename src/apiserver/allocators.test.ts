import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpAllocator, PortAllocator, ServiceAllocations, parseCidr } from './allocators.js';
import { StatusError } from '../api/errors.js';
import type { KObject } from '../api/types.js';

test('parseCidr normalises and rejects junk', () => {
  assert.deepEqual(parseCidr('10.43.0.0/16'), { base: (10 * 2 ** 24) + 43 * 2 ** 16, size: 65536, bits: 16 });
  assert.throws(() => parseCidr('10.43.0.0'), /invalid IPv4 CIDR/);
  assert.throws(() => parseCidr('300.1.1.1/16'), /invalid/);
});

test('ip allocator: static, dynamic, conflicts, release', () => {
  const a = new IpAllocator('10.43.0.0/24');
  assert.equal(a.nth(1), '10.43.0.1');
  assert.deepEqual(a.allocate('10.43.0.10'), { ip: '10.43.0.10' });
  assert.match(a.allocate('10.43.0.10').error!, /provided IP is already allocated/);
  assert.match(a.allocate('10.44.0.1').error!, /not in the valid range/);
  const seen = new Set<string>();
  for (let i = 0; i < 253; i++) {
    const r = a.allocate();
    assert.ok(r.ip, r.error);
    assert.ok(!seen.has(r.ip!));
    seen.add(r.ip!);
  }
  assert.match(a.allocate().error!, /range is full/);
  a.release('10.43.0.10');
  assert.equal(a.allocate().ip, '10.43.0.10');
});

test('port allocator range and conflicts', () => {
  const p = new PortAllocator(30000, 30002);
  assert.deepEqual(p.allocate(30001), { port: 30001 });
  assert.match(p.allocate(30001).error!, /already allocated/);
  assert.match(p.allocate(80).error!, /valid range/);
  const got = [p.allocate().port, p.allocate().port].sort();
  assert.deepEqual(got, [30000, 30002]);
  assert.match(p.allocate().error!, /full/);
});

test('services: allocation, failure leaves nothing allocated, release', () => {
  const s = new ServiceAllocations(new IpAllocator('10.43.0.0/24'), new PortAllocator(30000, 30010));
  const svc: KObject = { metadata: { name: 'a' }, spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 81, nodePort: 30005 }] } };
  s.allocateNew(svc);
  const spec = svc.spec as { clusterIP: string; clusterIPs: string[]; ports: { nodePort: number }[] };
  assert.match(spec.clusterIP, /^10\.43\.0\.\d+$/);
  assert.deepEqual(spec.clusterIPs, [spec.clusterIP]);
  assert.equal(spec.ports[1]!.nodePort, 30005);
  const clash: KObject = { metadata: { name: 'b' }, spec: { type: 'NodePort', clusterIP: '10.43.0.200', ports: [{ port: 80, nodePort: 30005 }] } };
  assert.throws(() => s.allocateNew(clash), (e: unknown) => e instanceof StatusError && /spec.ports\[0\].nodePort: Invalid value: 30005: provided port is already allocated/.test(e.message));
  // the clusterIP requested by the failed create was released again
  assert.deepEqual(s.ips.allocate('10.43.0.200'), { ip: '10.43.0.200' });
  s.release(svc);
  assert.deepEqual(s.ports.allocate(30005), { port: 30005 });
});
