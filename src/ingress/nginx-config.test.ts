import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderNginxConfig, safeHost, safePath } from './nginx-config.js';
import type { NginxConfigInput } from './nginx-config.js';
import type { Ingress, IngressPath } from './match.js';

const ing = (name: string, rules: { host?: string; paths: Partial<IngressPath>[] }[], extra: Partial<NonNullable<Ingress['spec']>> = {}, ts = '2026-01-01T00:00:00Z', annotations?: Record<string, string>): Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'default', creationTimestamp: ts, annotations },
  spec: { ...extra, rules: rules.map((r) => ({ host: r.host, http: { paths: r.paths.map((p) => ({ pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 80 } } }, ...p }) as IngressPath) } })) },
});

const base = (ingresses: Ingress[], over: Partial<NginxConfigInput> = {}): string =>
  renderNginxConfig({
    ingresses,
    resolve: (_i, b) => (b.service?.name === 'empty' ? { ok: false, status: 503, reason: 'no ready endpoints' } : { ok: true, key: `default/${b.service!.name}:80`, targets: [{ host: '10.0.0.2', port: 8080 }, { host: '10.0.0.1', port: 8080 }] }),
    certFor: () => undefined,
    defaultCertPath: '/d/default.pem',
    bindAddress: '0.0.0.0',
    httpPort: 80,
    httpsPort: 443,
    dir: '/d',
    workers: 2,
    ...over,
  }).config;

/** The lines of the server block whose server_name is `name`. */
function serverBlock(conf: string, name: string): string {
  const blocks = conf.split('  server {').slice(1);
  const b = blocks.find((x) => x.includes(`server_name ${name};`));
  assert.ok(b, `no server ${name} in:\n${conf}`);
  return b;
}

test('Prefix paths match whole elements: = /foo and /foo/; Exact wins a tie; / replaces the 404 fallback', () => {
  const conf = base([ing('a', [{ host: 'a.test', paths: [{ path: '/foo/', pathType: 'Prefix' }, { path: '/foo', pathType: 'Exact', backend: { service: { name: 'exact', port: { number: 80 } } } }] }])]);
  const a = serverBlock(conf, 'a.test');
  assert.match(a, /location = "\/foo" \{\n\s+proxy_pass http:\/\/u0;/, 'the Exact path owns = /foo');
  assert.match(a, /location \^~ "\/foo\/" \{\n\s+proxy_pass http:\/\/u1;/);
  assert.match(a, /location \/ \{\n\s+return 404;/);
  const all = base([ing('b', [{ host: 'b.test', paths: [{ path: '/' }] }])]);
  assert.match(serverBlock(all, 'b.test'), /location "\/" \{\n\s+proxy_pass/);
  assert.doesNotMatch(serverBlock(all, 'b.test'), /return 404/);
});

test('the older Ingress keeps a contested path; endpoints become one upstream per Service port', () => {
  const conf = base([ing('old', [{ host: 'x.test', paths: [{ path: '/p', backend: { service: { name: 'one', port: { number: 80 } } } }] }]), ing('new', [{ host: 'x.test', paths: [{ path: '/p', backend: { service: { name: 'two', port: { number: 80 } } } }] }], {}, '2026-02-01T00:00:00Z')]);
  assert.match(conf, /upstream u0 \{ # default\/one:80\n\s+server 10\.0\.0\.2:8080;\n\s+server 10\.0\.0\.1:8080;\n\s+keepalive/);
  assert.doesNotMatch(conf, /default\/two/);
});

test('wildcard hosts match one label; host-less rules live in the default server with the fallback', () => {
  const conf = base([ing('w', [{ host: '*.example.com', paths: [{ path: '/' }] }, { paths: [{ path: '/any' }] }])]);
  assert.ok(conf.includes('server_name "~^[^.]+\\.example\\.com$";'));
  const def = serverBlock(conf, '_');
  assert.match(def, /listen 0\.0\.0\.0:80 default_server;/);
  assert.match(def, /location = "\/any"/);
});

test('no ready endpoints → 503; a default backend replaces the 404; ssl-redirect for TLS hosts', () => {
  const conf = base([
    ing('e', [{ host: 'e.test', paths: [{ path: '/', backend: { service: { name: 'empty', port: { number: 80 } } } }] }], { tls: [{ hosts: ['e.test'], secretName: 's' }] }),
    ing('d', [], { defaultBackend: { service: { name: 'fallback', port: { number: 80 } } } }, '2026-03-01T00:00:00Z'),
  ], { httpsPort: 8443, certFor: (n) => (n === 'e.test' ? '/d/certs/default_s.pem' : undefined) });
  const e = serverBlock(conf, 'e.test');
  assert.match(e, /if \(\$scheme = http\) \{ return 308 https:\/\/\$host:8443\$request_uri; \}\n\s+# no ready endpoints\n\s+return 503;/);
  assert.match(e, /ssl_certificate \/d\/certs\/default_s\.pem;/);
  assert.match(serverBlock(conf, '_'), /location \/ \{\n\s+proxy_pass http:\/\/u\d;/);
  assert.match(serverBlock(conf, '_'), /ssl_certificate \/d\/default\.pem;/);
});

test('a TLS host without rules gets its certificate and the routes it would get anyway', () => {
  const conf = base([ing('t', [{ host: '*.corp.test', paths: [{ path: '/w' }] }], { tls: [{ hosts: ['a.corp.test'], secretName: 's' }] })], { certFor: (n) => (n === 'a.corp.test' ? '/d/certs/s.pem' : undefined) });
  const a = serverBlock(conf, 'a.corp.test');
  assert.match(a, /ssl_certificate \/d\/certs\/s\.pem;/);
  assert.match(a, /location = "\/w"/);
});

test('hosts and paths that could break out of the configuration are skipped and reported', () => {
  assert.equal(safeHost('a.b-c.test'), true);
  assert.equal(safeHost('*.x.test'), true);
  assert.equal(safeHost('a;b'), false);
  assert.equal(safePath('/ok/p-1_~%20'), true);
  assert.equal(safePath('/x" { return 200; }'), false);
  assert.equal(safePath('/x;y'), false);
  const r = renderNginxConfig({
    ingresses: [ing('bad', [{ host: 'ok.test', paths: [{ path: '/a{b' }, { path: '/fine' }] }, { host: 'evil;host', paths: [{ path: '/' }] }])],
    resolve: () => ({ ok: true, key: 'k', targets: [{ host: '10.0.0.1', port: 1 }] }),
    certFor: () => undefined,
    defaultCertPath: '/d',
    bindAddress: '0.0.0.0',
    httpPort: 1,
    httpsPort: 2,
    dir: '/d',
    workers: 1,
  });
  assert.equal(r.skipped.length, 2);
  assert.doesNotMatch(r.config, /a\{b|evil/);
  assert.match(r.config, /location = "\/fine"/);
});
