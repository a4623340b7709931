import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterRecords } from './cluster-records.js';
import type { DnsEndpointSlice, DnsService } from './cluster-records.js';
import { ClusterLookup } from './lookup.js';
import { CLASS_IN, RCODE, TYPE } from './wire.js';
import type { ResourceRecord } from './wire.js';

const D = 'cluster.local';

function svc(name: string, ns: string, spec: DnsService['spec']): DnsService {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}
function slice(name: string, svcName: string, ns: string, endpoints: NonNullable<DnsEndpointSlice['endpoints']>, ports: DnsEndpointSlice['ports']): DnsEndpointSlice {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': svcName } }, addressType: 'IPv4', endpoints, ports };
}

function setup() {
  const r = new ClusterRecords();
  r.setService(svc('web', 'default', { type: 'ClusterIP', clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], ports: [{ name: 'http', protocol: 'TCP', port: 80 }, { name: 'dns', protocol: 'UDP', port: 53 }] }));
  r.setService(svc('db', 'prod', { clusterIP: 'None', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }));
  r.setSlice(
    slice('db-abc', 'db', 'prod', [
      { addresses: ['10.42.0.5'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.42.0.6'], conditions: {} },
      { addresses: ['10.42.0.7'], hostname: 'db-2', conditions: { ready: false } },
    ], [{ name: 'pg', protocol: 'TCP', port: 5432 }]),
  );
  r.setService(svc('ext', 'default', { type: 'ExternalName', externalName: 'Example.COM.' }));
  return { r, l: new ClusterLookup(r, D) };
}

const ask = (l: ClusterLookup, name: string, type: number) => l.lookup({ name, type, class: CLASS_IN });
const addrs = (rs: ResourceRecord[]) => rs.map((r) => ('address' in r.data ? r.data.address : '?')).sort();

test('ClusterIP Service: A with the ClusterIP, TTL 5; AAAA is NODATA with the SOA', () => {
  const { l } = setup();
  const a = ask(l, 'web.default.svc.cluster.local', TYPE.A);
  assert.equal(a.rcode, RCODE.NOERROR);
  assert.deepEqual(a.answers, [{ name: 'web.default.svc.cluster.local', class: CLASS_IN, ttl: 5, data: { type: TYPE.A, address: '10.43.0.20' } }]);
  const aaaa = ask(l, 'web.default.svc.cluster.local', TYPE.AAAA);
  assert.equal(aaaa.rcode, RCODE.NOERROR);
  assert.equal(aaaa.answers.length, 0);
  assert.equal(aaaa.authority[0]!.data.type, TYPE.SOA);
});

test('unknown names in the zone are NXDOMAIN with the SOA; namespaces and zone apex are NODATA', () => {
  const { l } = setup();
  for (const n of ['nope.default.svc.cluster.local', 'web.other.svc.cluster.local', 'x.cluster.local', 'a.b.web.default.svc.cluster.local', 'nsless.svc.cluster.local']) {
    const a = ask(l, n, TYPE.A);
    assert.equal(a.rcode, RCODE.NXDOMAIN, n);
    assert.equal(a.authority[0]!.name, 'cluster.local');
  }
  for (const n of ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local']) assert.equal(ask(l, n, TYPE.A).rcode, RCODE.NOERROR, n);
  assert.equal(ask(l, 'cluster.local', TYPE.SOA).answers[0]!.data.type, TYPE.SOA);
});

test('headless Service: every ready endpoint; endpoints by hostname or dashed address', () => {
  const { l } = setup();
  assert.deepEqual(addrs(ask(l, 'db.prod.svc.cluster.local', TYPE.A).answers), ['10.42.0.5', '10.42.0.6']);
  assert.deepEqual(addrs(ask(l, 'db-0.db.prod.svc.cluster.local', TYPE.A).answers), ['10.42.0.5']);
  assert.deepEqual(addrs(ask(l, '10-42-0-6.db.prod.svc.cluster.local', TYPE.A).answers), ['10.42.0.6']);
  // Not ready: not published.
  assert.equal(ask(l, 'db-2.db.prod.svc.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
  // A ClusterIP Service has no endpoint names.
  assert.equal(ask(l, 'x.web.default.svc.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
});

test('endpoint changes are seen at once; a headless Service without endpoints is NXDOMAIN', () => {
  const { r, l } = setup();
  r.deleteSlice(slice('db-abc', 'db', 'prod', [], []));
  assert.equal(ask(l, 'db.prod.svc.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
  r.setSlice(slice('db-new', 'db', 'prod', [{ addresses: ['10.42.1.9'], hostname: 'db-0' }], [{ name: 'pg', protocol: 'TCP', port: 5432 }]));
  assert.deepEqual(addrs(ask(l, 'db-0.db.prod.svc.cluster.local', TYPE.A).answers), ['10.42.1.9']);
  r.deleteService(svc('db', 'prod', {}));
  assert.equal(ask(l, 'db.prod.svc.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
  assert.equal(ask(l, 'prod.svc.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
});

test('SRV: named port on a ClusterIP Service points at the Service with its A in additional', () => {
  const { l } = setup();
  const a = ask(l, '_http._tcp.web.default.svc.cluster.local', TYPE.SRV);
  assert.deepEqual(a.answers.map((r) => r.data), [{ type: TYPE.SRV, srv: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } }]);
  assert.deepEqual(addrs(a.additional), ['10.43.0.20']);
  assert.equal(ask(l, '_dns._udp.web.default.svc.cluster.local', TYPE.SRV).answers.length, 1);
  assert.equal(ask(l, '_http._udp.web.default.svc.cluster.local', TYPE.SRV).rcode, RCODE.NXDOMAIN);
  assert.equal(ask(l, '_nope._tcp.web.default.svc.cluster.local', TYPE.SRV).rcode, RCODE.NXDOMAIN);
  // SRV on the Service name itself: every port.
  assert.equal(ask(l, 'web.default.svc.cluster.local', TYPE.SRV).answers.length, 2);
});

test('SRV: a headless Service lists one target per ready endpoint', () => {
  const { l } = setup();
  const a = ask(l, '_pg._tcp.db.prod.svc.cluster.local', TYPE.SRV);
  const targets = a.answers.map((r) => ('srv' in r.data ? `${r.data.srv.target}:${r.data.srv.port}` : '')).sort();
  assert.deepEqual(targets, ['10-42-0-6.db.prod.svc.cluster.local:5432', 'db-0.db.prod.svc.cluster.local:5432']);
  assert.deepEqual(addrs(a.additional), ['10.42.0.5', '10.42.0.6']);
});

test('ExternalName: a CNAME to the external name', () => {
  const { l } = setup();
  const a = ask(l, 'ext.default.svc.cluster.local', TYPE.A);
  assert.deepEqual(a.answers[0]!.data, { type: TYPE.CNAME, target: 'example.com' });
});

test('pod names: a-b-c-d.<ns>.pod resolves to the address written in it', () => {
  const { l } = setup();
  assert.deepEqual(addrs(ask(l, '10-42-0-9.default.pod.cluster.local', TYPE.A).answers), ['10.42.0.9']);
  assert.equal(ask(l, '10-42-0-9.default.pod.cluster.local', TYPE.AAAA).answers.length, 0);
  assert.equal(ask(l, '10-42-0-999.default.pod.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
  assert.equal(ask(l, 'foo.default.pod.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
});

test('the zone is the cluster domain only', () => {
  const { l } = setup();
  assert.equal(l.inZone('cluster.local'), true);
  assert.equal(l.inZone('web.default.svc.cluster.local'), true);
  assert.equal(l.inZone('notcluster.local'), false);
  assert.equal(l.inZone('example.com'), false);
});

test('PTR: ClusterIPs and headless endpoints map back to their names; other addresses fall through', () => {
  const { r, l } = setup();
  const ptr = (name: string) => l.reverse({ name, type: TYPE.PTR, class: CLASS_IN });
  assert.deepEqual(ptr('20.0.43.10.in-addr.arpa')!.answers.map((a) => a.data), [{ type: TYPE.PTR, target: 'web.default.svc.cluster.local' }]);
  assert.deepEqual(ptr('5.0.42.10.in-addr.arpa')!.answers.map((a) => a.data), [{ type: TYPE.PTR, target: 'db-0.db.prod.svc.cluster.local' }]);
  assert.deepEqual(ptr('6.0.42.10.in-addr.arpa')!.answers.map((a) => a.data), [{ type: TYPE.PTR, target: '10-42-0-6.db.prod.svc.cluster.local' }]);
  // Not ready, or not the cluster's: forwarded.
  assert.equal(ptr('7.0.42.10.in-addr.arpa'), undefined);
  assert.equal(ptr('8.8.8.8.in-addr.arpa'), undefined);
  // The index follows changes: a new ClusterIP replaces the old one.
  r.setService(svc('web', 'default', { clusterIP: '10.43.0.21' }));
  assert.equal(ptr('20.0.43.10.in-addr.arpa'), undefined);
  assert.equal(ptr('21.0.43.10.in-addr.arpa')!.answers.length, 1);
  r.deleteSlice(slice('db-abc', 'db', 'prod', [], []));
  assert.equal(ptr('5.0.42.10.in-addr.arpa'), undefined);
});

test('slice updates that change addresses or the Service label leave no stale entries', () => {
  const { r, l } = setup();
  r.setSlice(slice('db-abc', 'other', 'prod', [{ addresses: ['10.42.0.99'] }], []));
  assert.equal(ask(l, 'db.prod.svc.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
  r.setService(svc('other', 'prod', { clusterIP: 'None' }));
  assert.deepEqual(addrs(ask(l, 'other.prod.svc.cluster.local', TYPE.A).answers), ['10.42.0.99']);
  assert.equal(l.reverse({ name: '5.0.42.10.in-addr.arpa', type: TYPE.PTR, class: CLASS_IN }), undefined);
});
