import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { WebSocketServer, WebSocket } from 'ws';
import { startListeners } from './listeners.js';
import type { Decision } from './proxy.js';
import { selfSignedDefaultCert, DEFAULT_CERT_CN } from './default-cert.js';

function get(port: number, host: string, path: string, body?: string): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', headers: { host } }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('proxies by route with X-Forwarded-* headers, retries the next endpoint after a refused connect, streams bodies, pipes WebSockets, answers 404/502 and serves certificates by SNI', async () => {
  const ac = new AbortController();
  const upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => res.end(JSON.stringify({ url: req.url, host: req.headers.host, xff: req.headers['x-forwarded-for'], proto: req.headers['x-forwarded-proto'], xhost: req.headers['x-forwarded-host'], body })));
  });
  const wss = new WebSocketServer({ server: upstream });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo:${String(m)}`)));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upPort = (upstream.address() as AddressInfo).port;
  const decide = (host: string | undefined, path: string): Decision => {
    if (host?.startsWith('app.test')) return { ok: true, targets: [{ host: '127.0.0.1', port: upPort }], route: 'app' };
    if (host?.startsWith('down.test')) return { ok: true, targets: [{ host: '127.0.0.1', port: 1 }], route: 'down' };
    if (host?.startsWith('retry.test')) return { ok: true, targets: [{ host: '127.0.0.1', port: 1 }, { host: '127.0.0.1', port: upPort }], route: 'retry' };
    if (host?.startsWith('redirect.test')) return { ok: false, status: 308, reason: 'ssl-redirect', redirect: 'https://redirect.test:8443' };
    if (host?.startsWith('empty.test')) return { ok: false, status: 503, reason: 'no endpoints' };
    return { ok: false, status: 404, reason: `nothing for ${path}` };
  };
  const custom = selfSignedDefaultCert();
  const customCtx = createSecureContext({ cert: custom.certPem, key: custom.keyPem });
  const l = await startListeners({ bindAddress: '127.0.0.1', httpPort: 0, httpsPort: 0, decide, defaultCert: selfSignedDefaultCert(), contextFor: (n) => (n === 'app.test' ? customCtx : undefined), onError: () => {} }, ac.signal);
  try {
    const r = await get(l.httpPort, 'app.test:8080', '/a/b?q=1', 'payload');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { url: '/a/b?q=1', host: 'app.test:8080', xff: '127.0.0.1', proto: 'http', xhost: 'app.test:8080', body: 'payload' });
    assert.equal((await get(l.httpPort, 'nope.test', '/')).status, 404);
    assert.equal((await get(l.httpPort, 'empty.test', '/')).status, 503);
    assert.equal((await get(l.httpPort, 'down.test', '/')).status, 502);
    assert.deepEqual(await get(l.httpPort, 'redirect.test', '/p?q=1'), { status: 308, body: '', location: 'https://redirect.test:8443/p?q=1' });
    // A refused connection moves on to the next endpoint, body intact.
    const retried = await get(l.httpPort, 'retry.test', '/r', 'kept');
    assert.equal(retried.status, 200);
    assert.equal(JSON.parse(retried.body).body, 'kept');

    const ws = new WebSocket(`ws://127.0.0.1:${l.httpPort}/socket`, { headers: { host: 'app.test' } });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    ws.send('hi');
    const msg = await new Promise<string>((r) => ws.once('message', (m) => r(String(m))));
    assert.equal(msg, 'echo:hi');
    ws.close();

    const peer = (servername: string) =>
      new Promise<X509Certificate>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: l.httpsPort, servername, rejectUnauthorized: false }, () => {
          const cert = s.getPeerX509Certificate()!;
          s.end();
          resolve(cert);
        });
        s.on('error', reject);
      });
    assert.equal((await peer('app.test')).fingerprint256, new X509Certificate(custom.certPem).fingerprint256);
    assert.match((await peer('other.test')).subject, new RegExp(`CN=${DEFAULT_CERT_CN}`));
  } finally {
    ac.abort();
    await l.closed;
    wss.close();
    upstream.close();
  }
});
