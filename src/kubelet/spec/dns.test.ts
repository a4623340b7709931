import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dnsConfig, parseResolvConf } from './dns.js';
import type { Pod } from './types.js';

let dir = '';
let resolv = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kts-dns-'));
  resolv = join(dir, 'resolv.conf');
  writeFileSync(resolv, '# host\nnameserver 192.168.1.1\nnameserver 8.8.8.8 ; comment\nsearch old.example\nsearch corp.example. lab.example\noptions edns0 ndots:2\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({ metadata: { name: 'p', namespace: 'team', uid: 'u' }, spec: { containers: [], ...spec } });
const opts = () => ({ clusterDns: ['10.43.0.10'], clusterDomain: 'cluster.local', hostResolvConf: resolv });

test('resolv.conf parsing: last search line wins, trailing dots and comments dropped', () => {
  assert.deepEqual(parseResolvConf('nameserver 1.1.1.1\nsearch a.\nsearch b. c\noptions rotate\n#nameserver 9.9.9.9\n'), { servers: ['1.1.1.1'], searches: ['b', 'c'], options: ['rotate'] });
});

test('ClusterFirst: cluster servers, cluster + host searches, ndots:5', () => {
  const r = dnsConfig(pod(), opts());
  assert.deepEqual(r.config, { servers: ['10.43.0.10'], searches: ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'], options: ['ndots:5'] });
  assert.equal(r.clusterDnsMissing, false);
  assert.deepEqual(r.events, []);
});

test('Default, and ClusterFirst on the host network, copy the host; ClusterFirstWithHostNet does not', () => {
  const host = { servers: ['192.168.1.1', '8.8.8.8'], searches: ['corp.example', 'lab.example'], options: ['edns0', 'ndots:2'] };
  assert.deepEqual(dnsConfig(pod({ dnsPolicy: 'Default' }), opts()).config, host);
  assert.deepEqual(dnsConfig(pod({ hostNetwork: true }), opts()).config, host);
  assert.deepEqual(dnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), opts()).config.servers, ['10.43.0.10']);
  assert.deepEqual(dnsConfig(pod({ dnsPolicy: 'Default' }), { ...opts(), hostResolvConf: '' }).config, { servers: ['127.0.0.1'], searches: ['.'], options: [] });
});

test('no cluster DNS: ClusterFirst falls back to Default with a MissingClusterDNS event', () => {
  const r = dnsConfig(pod(), { ...opts(), clusterDns: [] });
  assert.equal(r.clusterDnsMissing, true);
  assert.deepEqual(r.config.servers, ['192.168.1.1', '8.8.8.8']);
  assert.deepEqual(r.events, [{ type: 'Warning', reason: 'MissingClusterDNS', message: 'pod: "p_team(u)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.' }]);
});

test('None uses only dnsConfig; dnsConfig merges without duplicates and overrides options', () => {
  const none = dnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), opts());
  assert.deepEqual(none.config, { servers: ['1.1.1.1'], searches: ['a.example'], options: ['ndots:2', 'edns0'] });
  const merged = dnsConfig(pod({ dnsConfig: { nameservers: ['10.43.0.10', '1.1.1.1'], searches: ['svc.cluster.local', 'x.example'], options: [{ name: 'ndots', value: '1' }] } }), opts());
  assert.deepEqual(merged.config.servers, ['10.43.0.10', '1.1.1.1']);
  assert.deepEqual(merged.config.searches.slice(-1), ['x.example']);
  assert.deepEqual(merged.config.options, ['ndots:1']);
});

test('limits: 3 nameservers, 32 search paths, 2048 characters, with DNSConfigForming events', () => {
  const r = dnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'], searches: Array.from({ length: 40 }, (_, i) => `d${i}.example`) } }), opts());
  assert.deepEqual(r.config.servers, ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
  assert.equal(r.config.searches.length, 32);
  assert.equal(r.events[0]!.message, 'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 1.1.1.1 2.2.2.2 3.3.3.3');
  assert.match(r.events[1]!.message, /^Search Line limits were exceeded, some search paths have been omitted, the applied search line is: d0\.example d1\.example/);
  const long = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(120)}.example`);
  const r2 = dnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches: long } }), opts());
  assert.ok(r2.config.searches.join(' ').length <= 2048);
  assert.equal(r2.config.searches.length, 15);
  assert.equal(r2.events.length, 1);
});

test('an unknown policy is refused', () => {
  assert.throws(() => dnsConfig(pod({ dnsPolicy: 'Bogus' as never }), opts()), /invalid DNSPolicy=Bogus/);
});
