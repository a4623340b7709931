import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { proxyHandler, upgradeHandler, forwardHeaders } from './proxy.js';

test('forwarded headers: hop-by-hop dropped, a client-sent X-Forwarded-For replaced, a request id made when missing', () => {
  assert.match(String(forwardHeaders({ host: 'a' }, { remoteAddress: '::1', scheme: 'http', localPort: 80 }, false)['x-request-id']), /^[0-9a-f]{32}$/);
  const h = forwardHeaders({ host: 'a.test', connection: 'keep-alive, x-secret', 'x-secret': '1', 'keep-alive': 'timeout=5', 'x-forwarded-for': '6.6.6.6', accept: '*/*', 'x-request-id': 'r1' }, { remoteAddress: '10.1.1.1', scheme: 'https', localPort: 443 }, false);
  assert.deepEqual(h, { host: 'a.test', accept: '*/*', 'x-request-id': 'r1', 'x-original-forwarded-for': '6.6.6.6', 'x-forwarded-for': '10.1.1.1', 'x-real-ip': '10.1.1.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'a.test', 'x-forwarded-port': '443', 'x-forwarded-scheme': 'https' });
});

test('a streamed response reaches the client before the upstream finishes; a refused upgrade is relayed', async () => {
  let finish!: () => void;
  const upstream = createServer((req, res) => {
    if (req.headers.upgrade) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('no upgrade here');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n');
    finish = () => res.end('data: last\n\n');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const target = { host: '127.0.0.1', port: (upstream.address() as AddressInfo).port };
  const o = { decide: () => ({ ok: true as const, targets: [target], route: 'r' }), scheme: 'http' as const };
  const proxy = createServer(proxyHandler(o));
  proxy.on('upgrade', upgradeHandler(o));
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as AddressInfo).port;
  try {
    const chunks: string[] = [];
    await new Promise<void>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/events' }, (res) => {
        res.on('data', (d) => {
          chunks.push(String(d));
          if (chunks.length === 1) finish();
        });
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    assert.deepEqual(chunks, ['data: first\n\n', 'data: last\n\n']);

    const raw = await new Promise<string>((resolve, reject) => {
      let got = '';
      const s = connect(port, '127.0.0.1', () => s.write('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'));
      s.on('data', (d) => (got += d));
      s.on('end', () => resolve(got));
      s.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(raw, /no upgrade here$/);
  } finally {
    proxy.closeAllConnections();
    proxy.close();
    upstream.closeAllConnections();
    upstream.close();
  }
});
