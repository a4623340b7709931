import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRequest, prefixMatches, hostMatches, normalizeHost } from './match.js';
import type { Ingress, IngressPath } from './match.js';

const be = (name: string, port = 80) => ({ service: { name, port: { number: port } } });
const p = (path: string, svc: string, pathType: IngressPath['pathType'] = 'Prefix'): IngressPath => ({ path, pathType, backend: be(svc) });
function ing(name: string, rules: { host?: string; paths: IngressPath[] }[], extra: Partial<NonNullable<Ingress['spec']>> = {}, created = '2026-01-01T00:00:00Z'): Ingress {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', creationTimestamp: created }, spec: { ...extra, rules: rules.map((r) => ({ host: r.host, http: { paths: r.paths } })) } };
}
const svc = (ings: Ingress[], host: string, path: string) => matchRequest(ings, host, path)?.backend.service?.name;

test('prefix matching is element-wise and ignores a trailing slash', () => {
  assert.ok(prefixMatches('/foo', '/foo'));
  assert.ok(prefixMatches('/foo', '/foo/'));
  assert.ok(prefixMatches('/foo', '/foo/bar'));
  assert.ok(!prefixMatches('/foo', '/foobar'));
  assert.ok(prefixMatches('/foo/', '/foo'));
  assert.ok(prefixMatches('/', '/anything'));
  assert.ok(!prefixMatches('/aaa/bbb', '/aaa/bbbxyz'));
  assert.ok(prefixMatches('/aaa/bbb', '/aaa/bbb/ccc'));
});

test('hosts: exact, one-label wildcards, ports and case ignored', () => {
  assert.ok(hostMatches('*.example.com', 'a.example.com'));
  assert.ok(!hostMatches('*.example.com', 'a.b.example.com'));
  assert.ok(!hostMatches('*.example.com', 'example.com'));
  assert.equal(normalizeHost('Foo.Example.com:8080'), 'foo.example.com');
  assert.equal(normalizeHost('[::1]:80'), '[::1]');
});

test('the longest path wins; Exact beats Prefix on a tie; Exact needs the exact path', () => {
  const ings = [ing('a', [{ host: 'x.test', paths: [p('/', 'root'), p('/api', 'api'), p('/api/v2', 'v2'), p('/api', 'exact', 'Exact'), p('/img', 'img', 'ImplementationSpecific')] }])];
  assert.equal(svc(ings, 'x.test', '/'), 'root');
  assert.equal(svc(ings, 'x.test', '/api'), 'exact');
  assert.equal(svc(ings, 'x.test', '/api/'), 'api');
  assert.equal(svc(ings, 'x.test', '/api/v2/users'), 'v2');
  assert.equal(svc(ings, 'x.test', '/apis'), 'root');
  assert.equal(svc(ings, 'x.test', '/img/a.png'), 'img');
});

test('an exact host beats a wildcard, which beats rules without a host; no fall-through between them', () => {
  const ings = [
    ing('any', [{ paths: [p('/', 'any'), p('/other', 'other')] }]),
    ing('wild', [{ host: '*.example.com', paths: [p('/', 'wild')] }]),
    ing('exact', [{ host: 'a.example.com', paths: [p('/only', 'exact')] }]),
  ];
  assert.equal(svc(ings, 'a.example.com', '/only/x'), 'exact');
  assert.equal(svc(ings, 'a.example.com', '/other'), undefined);
  assert.equal(svc(ings, 'b.example.com', '/other'), 'wild');
  assert.equal(svc(ings, 'c.d.example.com', '/other'), 'other');
  assert.equal(svc(ings, 'elsewhere.test:8080', '/'), 'any');
});

test('unknown host without a default backend matches nothing; the oldest defaultBackend catches the rest', () => {
  const a = ing('a', [{ host: 'a.test', paths: [p('/', 'a')] }]);
  assert.equal(matchRequest([a], 'b.test', '/'), undefined);
  const d1 = ing('d1', [], { defaultBackend: be('newer') }, '2026-02-01T00:00:00Z');
  const d2 = ing('d2', [], { defaultBackend: be('older') }, '2026-01-15T00:00:00Z');
  const m = matchRequest([a, d1, d2], 'b.test', '/');
  assert.equal(m?.backend.service?.name, 'older');
  assert.equal(m?.route, 'default');
});

test('two Ingresses with the same host and path: the older one wins', () => {
  const newer = ing('newer', [{ host: 'a.test', paths: [p('/', 'newer')] }], {}, '2026-03-01T00:00:00Z');
  const older = ing('older', [{ host: 'a.test', paths: [p('/', 'older')] }], {}, '2026-01-01T00:00:00Z');
  assert.equal(svc([newer, older], 'a.test', '/x'), 'older');
  // ...but a longer path in the newer one still wins.
  const longer = ing('longer', [{ host: 'a.test', paths: [p('/x', 'longer')] }], {}, '2026-04-01T00:00:00Z');
  assert.equal(svc([newer, older, longer], 'a.test', '/x'), 'longer');
});
