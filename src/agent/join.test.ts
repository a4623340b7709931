import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ensurePki, caCertHash } from '../server/pki.js';
import { discoverCa, parseToken } from './join.js';

test('tokens: a K10 token pins the CA hash; a bare secret does not', () => {
  const hash = 'ab'.repeat(32);
  assert.deepEqual(parseToken(`K10${hash}::server:s3cret`), { caHash: hash, bearer: `K10${hash}::server:s3cret` });
  assert.deepEqual(parseToken('s3cret'), { bearer: 's3cret' });
});

async function serve(certPem: string, keyPem: string, cacerts?: string): Promise<{ url: string; server: Server }> {
  const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    if (req.url === '/cacerts' && cacerts) res.end(cacerts);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('the CA is taken from the server only when it matches the token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-join-'));
  const servers: Server[] = [];
  try {
    const pki = await ensurePki(join(dir, 'tls'), { sans: { dns: ['localhost'], ips: ['127.0.0.1'] } });
    const other = await ensurePki(join(dir, 'other'), { sans: { dns: ['localhost'], ips: ['127.0.0.1'] } });
    const hash = caCertHash(pki.caCertPem).replace('sha256:', '');
    // The server sends its chain (leaf + CA): the CA is found and checked.
    const chained = await serve(pki.serverCertPem + pki.caCertPem, pki.serverKeyPem);
    servers.push(chained.server);
    const ca = await discoverCa(chained.url, hash);
    assert.equal(caCertHash(ca), `sha256:${hash}`);
    // A server with another CA is refused, naming both hashes.
    const impostor = await serve(other.serverCertPem + other.caCertPem, other.serverKeyPem);
    servers.push(impostor.server);
    await assert.rejects(discoverCa(impostor.url, hash), /CA certificate hash does not match: expected sha256:[0-9a-f]{64}, the server presented sha256:/);
    // Only the leaf, no /cacerts: nothing to check against, so --ca-cert is needed.
    const bare = await serve(pki.serverCertPem, pki.serverKeyPem);
    servers.push(bare.server);
    await assert.rejects(discoverCa(bare.url, hash), /pass --ca-cert/);
    // Only the leaf but /cacerts served (as k3s): found there.
    const k3sLike = await serve(pki.serverCertPem, pki.serverKeyPem, pki.caCertPem);
    servers.push(k3sLike.server);
    assert.equal(caCertHash(await discoverCa(k3sLike.url, hash)), `sha256:${hash}`);
    // /cacerts offering a matching CA that did not issue the serving certificate is refused.
    const mixed = await serve(other.serverCertPem, other.serverKeyPem, pki.caCertPem);
    servers.push(mixed.server);
    await assert.rejects(discoverCa(mixed.url, hash), /was not issued by the CA the token names/);
  } finally {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
