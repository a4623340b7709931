import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { endpointsPrinter, servicePrinter } from './services.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const meta = { name: 'web', creationTimestamp: '2024-05-01T11:59:55Z' };
const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KObject => ({ metadata: meta, spec, status });

test('columns: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide SELECTOR', () => {
  assert.deepEqual(
    servicePrinter.columns.map((c) => c.name),
    ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
  );
  assert.equal(servicePrinter.columns[6]!.priority, 1);
});

test('ClusterIP service', () => {
  const row = servicePrinter.row(svc({ type: 'ClusterIP', clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], selector: { 'k8s-app': 'dns' } }), now);
  assert.deepEqual(row, ['web', 'ClusterIP', '10.43.0.10', '<none>', '53/UDP,53/TCP', '5s', 'k8s-app=dns']);
});

test('NodePort, headless and external IPs', () => {
  assert.deepEqual(servicePrinter.row(svc({ type: 'NodePort', clusterIPs: ['10.43.1.1'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }], externalIPs: ['1.2.3.4'] }), now).slice(1, 5), ['NodePort', '10.43.1.1', '1.2.3.4', '80:30080/TCP']);
  assert.deepEqual(servicePrinter.row(svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }), now).slice(2, 5), ['None', '<none>', '<none>']);
  assert.equal(servicePrinter.row(svc({ type: 'ClusterIP' }), now)[6], '<none>', 'no selector');
});

test('LoadBalancer: <pending> until an address, then sorted distinct ingress addresses', () => {
  const lb = { type: 'LoadBalancer', clusterIPs: ['10.43.2.2'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] };
  assert.equal(servicePrinter.row(svc(lb), now)[3], '<pending>');
  assert.equal(servicePrinter.row(svc(lb, { loadBalancer: { ingress: [{ ip: '192.168.1.20' }, { hostname: 'lb.example.com' }, { ip: '192.168.1.20' }] } }), now)[3], '192.168.1.20,lb.example.com');
  assert.equal(servicePrinter.row(svc({ ...lb, externalIPs: ['5.6.7.8'] }, { loadBalancer: { ingress: [{ ip: '192.168.1.20' }] } }), now)[3], '192.168.1.20,5.6.7.8');
});

test('ExternalName shows the external name', () => {
  assert.deepEqual(servicePrinter.row(svc({ type: 'ExternalName', externalName: 'db.example.com' }), now).slice(1, 5), ['ExternalName', '<none>', 'db.example.com', '<none>']);
});

test('endpoints: ip:port list truncated after three, bare IPs without ports', () => {
  const ep = (subsets: unknown[]): KObject => ({ metadata: meta, subsets });
  assert.equal(endpointsPrinter.row(ep([]), now)[1], '<none>');
  const addrs = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip }));
  assert.equal(endpointsPrinter.row(ep([{ addresses: addrs.slice(0, 2), ports: [{ port: 80 }] }]), now)[1], '10.0.0.1:80,10.0.0.2:80');
  assert.equal(endpointsPrinter.row(ep([{ addresses: addrs, ports: [{ port: 80 }, { port: 443 }] }]), now)[1], '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 5 more...');
  assert.equal(endpointsPrinter.row(ep([{ addresses: addrs.slice(0, 1) }]), now)[1], '10.0.0.1');
  assert.equal(endpointsPrinter.row(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }]), now)[1], '[fd00::1]:80');
});
