import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { csrCleanupDelayMs } from './cleaner.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const csr = (status: Record<string, unknown>): KObject => ({ metadata: { name: 'c', creationTimestamp: iso(T0) }, status });

test('pending CSRs go after a day; denied and failed an hour after the condition', () => {
  assert.equal(csrCleanupDelayMs(csr({}), T0), 24 * HOUR);
  assert.equal(csrCleanupDelayMs(csr({ conditions: [{ type: 'Denied', status: 'True', lastUpdateTime: iso(T0 + HOUR) }] }), T0), 2 * HOUR);
  assert.equal(csrCleanupDelayMs(csr({ conditions: [{ type: 'Approved', status: 'True', lastUpdateTime: iso(T0) }, { type: 'Failed', status: 'True', lastUpdateTime: iso(T0 + 10_000) }] }), T0 + 10_000), HOUR);
});

test('issued CSRs go an hour after approval; approved but not issued ones wait for the signer', () => {
  const approved = { conditions: [{ type: 'Approved', status: 'True', lastUpdateTime: iso(T0) }] };
  assert.equal(csrCleanupDelayMs(csr({ ...approved, certificate: Buffer.from('not a cert').toString('base64') }), T0 + HOUR), 0);
  assert.equal(csrCleanupDelayMs(csr(approved), T0), 24 * HOUR, 'no deadline applies: checked again a day later');
});

test('the controller deletes a CSR denied over an hour ago and keeps a fresh one', async () => {
  const { startTestCluster, until } = await import('../../../test/support/cluster.js');
  const { resourcePath } = await import('../../client/rest-client.js');
  const { createCsrCleanerController } = await import('./cleaner.js');
  const { csrObject } = await import('./testing.js');
  const cluster = await startTestCluster();
  try {
    const path = resourcePath('certificates.k8s.io', 'v1', 'certificatesigningrequests');
    const spec = { cn: 'jane', signerName: 'example.com/x', usages: ['client auth'] };
    for (const name of ['old', 'fresh']) {
      const created = await cluster.client.create<KObject>(path, { ...csrObject({ ...spec, name }), status: undefined });
      const lastUpdateTime = name === 'old' ? iso(Date.now() - 2 * HOUR) : iso(Date.now());
      await cluster.client.update(`${path}/${name}/approval`, { ...created, status: { conditions: [{ type: 'Denied', status: 'True', reason: 'Test', lastUpdateTime }] } });
    }
    void createCsrCleanerController().start(cluster.context(), cluster.signal);
    const names = async () => (await cluster.client.list(path)).items.map((c) => c.metadata.name);
    await until(async () => !(await names()).includes('old'), 10_000, 'old denied CSR deleted');
    assert.deepEqual(await names(), ['fresh']);
  } finally {
    await cluster.stop();
  }
});
