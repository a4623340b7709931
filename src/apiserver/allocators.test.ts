import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpAllocator, PortAllocator, ServiceAllocations, parseCidr } from './allocators.js';
import { StatusError } from '../api/errors.js';
import type { KObject } from '../api/types.js';
import { startTestCluster, until } from '../../test/support/cluster.js';

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

test("following stored changes: another server's Services take their addresses and ports, and free them when they change or go", () => {
  const a = new ServiceAllocations(new IpAllocator('10.43.0.0/24'), new PortAllocator(30000, 30010));
  const svc = (clusterIP: string, ...nodePorts: number[]): KObject => ({ metadata: { namespace: 'default', name: 'remote' }, spec: { type: 'NodePort', clusterIP, clusterIPs: [clusterIP], ports: nodePorts.map((nodePort, i) => ({ port: 80 + i, nodePort })) } });
  const v1 = svc('10.43.0.20', 30001, 30002);
  a.follow(undefined, v1);
  assert.match(a.ips.allocate('10.43.0.20').error!, /already allocated/);
  assert.match(a.ports.allocate(30001).error!, /already allocated/);
  // An update that drops a port frees it; the address and the kept port stay taken.
  const v2 = svc('10.43.0.20', 30002);
  a.follow(v1, v2);
  assert.deepEqual(a.ports.allocate(30001), { port: 30001 });
  assert.match(a.ports.allocate(30002).error!, /already allocated/);
  assert.match(a.ips.allocate('10.43.0.20').error!, /already allocated/);
  // Deleted: everything it held is free again.
  a.follow(v2, undefined);
  assert.deepEqual(a.ips.allocate('10.43.0.20'), { ip: '10.43.0.20' });
  assert.deepEqual(a.ports.allocate(30002), { port: 30002 });
  a.clear();
  assert.deepEqual(a.ports.allocate(30001), { port: 30001 });
});

test('two API servers on one datastore do not hand out the same node port or ClusterIP', async () => {
  const a = await startTestCluster();
  const b = await startTestCluster({ backend: a.backend });
  try {
    const path = '/api/v1/namespaces/default/services';
    const nodePort = (name: string, port: number, clusterIP?: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', clusterIP, ports: [{ port: 80, nodePort: port }] } });
    const made = await a.client.create<KObject>(path, nodePort('first', 30080, '10.43.7.7'));
    assert.equal((made.spec as { clusterIP: string }).clusterIP, '10.43.7.7');
    // The other server learns of it from the shared datastore's watch.
    await until(async () => {
      try {
        await b.client.create(path, nodePort("second", 30080));
        return false;
      } catch (e) {
        return e instanceof StatusError && /provided port is already allocated/.test(e.message);
      }
    });
    await assert.rejects(b.client.create(path, nodePort('third', 30081, '10.43.7.7')), /provided IP is already allocated/);
    // Deleted through the first server: the second can take both again.
    await a.client.delete(`${path}/first`);
    await until(async () => {
      try {
        await b.client.create(path, nodePort('fourth', 30080, '10.43.7.7'));
        return true;
      } catch {
        return false;
      }
    });
  } finally {
    await b.stop();
    await a.stop();
  }
});
