import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startTestCluster } from '../../test/support/cluster.js';
import { RestClient } from './rest-client.js';
import { ServerPool } from './server-pool.js';
import { serversFromSlices } from '../agent/api-servers.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('a client whose server is down fails over to another one of the pool, and stays there', async () => {
  const c = await startTestCluster();
  try {
    const dead = `https://127.0.0.1:${await closedPort()}`;
    const client = new RestClient({ server: dead, caPem: c.caPem, certPem: c.certPem, keyPem: c.keyPem });
    // Alone, the request fails.
    await assert.rejects(client.get('/api/v1/namespaces/default'), /ECONNREFUSED/);
    const pool = ServerPool.for(dead);
    pool.setOthers([c.url, dead]);
    assert.deepEqual(pool.servers, [dead, c.url]);
    const ns = await client.get<{ metadata: { name: string } }>('/api/v1/namespaces/default');
    assert.equal(ns.metadata.name, 'default');
    assert.equal(pool.current().origin, c.url);
    // Later requests go straight to the live server; a new list keeps it current.
    pool.setOthers([c.url]);
    assert.equal(pool.current().origin, c.url);
    await client.get('/api/v1/namespaces/default');
    client.close();
  } finally {
    await c.stop();
  }
});

test("the servers are the ready endpoints of the kubernetes Service's slices", () => {
  assert.deepEqual(
    serversFromSlices([
      { endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }, { addresses: ['10.0.0.2'], conditions: { ready: false } }], ports: [{ name: 'https', port: 6443 }] },
      { endpoints: [{ addresses: ['127.0.0.1'] }], ports: [{ name: 'https', port: 7443 }] },
      { endpoints: [{ addresses: ['10.0.0.9'] }], ports: [] },
    ]),
    ['https://10.0.0.1:6443', 'https://127.0.0.1:7443'],
  );
});
