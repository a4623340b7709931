// The nginx data plane with a real nginx (Debian's nginx-light, which `npm test` installs as root)
// and real upstreams on loopback: routing, forwarded headers, SNI, reload on change, upgrades.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { Server, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNginxPlane } from './nginx-plane.js';
import { findNginx, findNginxMasters } from './nginx-process.js';
import type { Ingress } from './match.js';
import type { Target } from './endpoints.js';
import { selfSignedCert } from '../util/self-signed-cert.js';
import { freePort } from '../util/listen.js';
import { createLogger } from '../util/log.js';

const nginx = findNginx();

async function upstream(id: string): Promise<{ server: Server; target: Target }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, url: req.url, headers: req.headers }));
  });
  server.on('upgrade', (_req, socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
    socket.pipe(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, target: { host: '127.0.0.1', port: (server.address() as AddressInfo).port } };
}

function get(port: number, host: string, path: string): Promise<{ status: number; body: { id?: string; url?: string; headers?: IncomingHttpHeaders } }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host, 'x-forwarded-for': '6.6.6.6' } }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: res.headers['content-type'] === 'application/json' ? JSON.parse(b) : {} }));
    })
      .on('error', reject)
      .end();
  });
}

const ing = (name: string, host: string, paths: [string, 'Exact' | 'Prefix', string][], ts: string, tls?: string): Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'default', creationTimestamp: ts },
  spec: {
    tls: tls ? [{ hosts: [host], secretName: tls }] : undefined,
    rules: [{ host, http: { paths: paths.map(([path, pathType, svc]) => ({ path, pathType, backend: { service: { name: svc, port: { number: 80 } } } })) } }],
  },
});

test('nginx routes hosts and paths to the right upstreams, serves the Secret certificate by SNI, and reloads on change', { skip: nginx ? false : 'nginx is not installed (Debian nginx-light)' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kts-nginx-'));
  const ac = new AbortController();
  const ups = { one: await upstream('one'), two: await upstream('two') };
  const cert = selfSignedCert({ commonName: 'secure.test', names: ['secure.test'], days: 2 });
  const secrets = { 'default/tls-s': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls-s', namespace: 'default' }, data: { 'tls.crt': Buffer.from(cert.certPem).toString('base64'), 'tls.key': Buffer.from(cert.keyPem).toString('base64') } } };
  let ingresses: Ingress[] = [ing('a', 'a.test', [['/', 'Prefix', 'one'], ['/two', 'Prefix', 'two'], ['/exact', 'Exact', 'two']], '2026-01-01T00:00:00Z'), ing('s', 'secure.test', [['/', 'Prefix', 'two']], '2026-01-02T00:00:00Z', 'tls-s')];
  const endpoints: Record<string, Target[]> = { one: [ups.one.target], two: [ups.two.target] };
  const httpPort = await freePort();
  const httpsPort = await freePort();
  try {
    const plane = await startNginxPlane(
      {
        binary: nginx!,
        dir,
        bindAddress: '127.0.0.1',
        httpPort,
        httpsPort,
        defaultCert: selfSignedCert({ commonName: 'default', names: ['ingress.local'] }),
        served: () => ingresses,
        resolve: (_i, b) => {
          const t = endpoints[b.service!.name] ?? [];
          return t.length ? { ok: true, key: `default/${b.service!.name}:80`, targets: t } : { ok: false, status: 503, reason: 'no ready endpoints' };
        },
        secret: (ref) => secrets[`${ref.namespace}/${ref.name}` as keyof typeof secrets],
        log: createLogger({ level: 'error', component: 'test' }),
      },
      ac.signal,
    );
    assert.equal((await stat(join(dir, 'certs', 'default_tls-s.pem'))).mode & 0o777, 0o600);
    const root = await get(httpPort, 'a.test', '/x?q=1');
    assert.equal(root.body.id, 'one');
    assert.equal(root.body.url, '/x?q=1');
    assert.equal(root.body.headers?.['x-forwarded-for'], '127.0.0.1');
    assert.equal(root.body.headers?.['x-original-forwarded-for'], '6.6.6.6');
    assert.equal(root.body.headers?.host, 'a.test');
    assert.match(String(root.body.headers?.['x-request-id']), /^[0-9a-f]{32}$/);
    assert.equal((await get(httpPort, 'a.test', '/two/deeper')).body.id, 'two');
    assert.equal((await get(httpPort, 'a.test', '/twofold')).body.id, 'one', 'Prefix matches whole path elements');
    assert.equal((await get(httpPort, 'a.test', '/exact')).body.id, 'two');
    assert.equal((await get(httpPort, 'a.test', '/exact/more')).body.id, 'one', 'Exact matches the path only');
    assert.equal((await get(httpPort, 'unknown.test', '/')).status, 404);
    assert.equal((await get(httpPort, 'secure.test', '/')).status, 308, 'plain HTTP to a TLS host is redirected');

    const presented = await new Promise<string>((resolve, reject) => {
      const s = connectTls({ host: '127.0.0.1', port: httpsPort, servername: 'secure.test', rejectUnauthorized: false }, () => {
        resolve(String(s.getPeerCertificate().subject.CN));
        s.destroy();
      });
      s.on('error', reject);
    });
    assert.equal(presented, 'secure.test');

    const echoed = await new Promise<string>((resolve, reject) => {
      let got = '';
      const s = connectTcp(httpPort, '127.0.0.1', () => s.write('GET /ws HTTP/1.1\r\nHost: a.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n'));
      s.on('data', (d) => {
        got += d;
        if (/^HTTP\/1\.1 101 /.test(got) && got.endsWith('\r\n\r\n')) s.write('ping\n');
        if (got.endsWith('ping\n')) {
          s.destroy();
          resolve(got);
        }
      });
      s.on('error', reject);
      s.on('close', () => reject(new Error(`closed: ${got}`)));
    });
    assert.match(echoed, /^HTTP\/1\.1 101 /);

    // A change: a's service "one" loses its endpoints (503), a new host appears.
    endpoints.one = [];
    ingresses = [...ingresses, ing('b', 'b.test', [['/', 'Prefix', 'two']], '2026-01-03T00:00:00Z')];
    await plane.sync();
    // The reload is asynchronous in nginx: poll briefly.
    for (let i = 0; i < 100 && (await get(httpPort, 'b.test', '/')).body.id !== 'two'; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await get(httpPort, 'b.test', '/')).body.id, 'two');
    assert.equal((await get(httpPort, 'a.test', '/')).status, 503);
    assert.equal(findNginxMasters(join(dir, 'nginx.conf')).length, 1);
    ac.abort();
    await plane.done;
    assert.equal(findNginxMasters(join(dir, 'nginx.conf')).length, 0, 'nginx stops with the signal');
  } finally {
    ac.abort();
    for (const u of Object.values(ups)) {
      u.server.closeAllConnections();
      u.server.close();
    }
    await rm(dir, { recursive: true, force: true });
  }
});
