import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';
import { StatusError } from '../api/errors.js';
import { serviceAccountController } from './serviceaccount.js';

async function exists(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get();
    return true;
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return false;
    throw e;
  }
}

test('every namespace gets a default ServiceAccount, recreated when deleted', async () => {
  const c = await startTestCluster();
  try {
    const ctx = c.context();
    void serviceAccountController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    await until(() => exists(() => c.client.get('/api/v1/namespaces/default/serviceaccounts/default')), 10_000, 'default/default');
    await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    await until(() => exists(() => c.client.get('/api/v1/namespaces/team-a/serviceaccounts/default')), 10_000, 'team-a/default');
    await c.client.delete('/api/v1/namespaces/team-a/serviceaccounts/default');
    await until(() => exists(() => c.client.get('/api/v1/namespaces/team-a/serviceaccounts/default')), 10_000, 'recreated');
    const list = await c.client.list('/api/v1/namespaces/team-a/serviceaccounts');
    assert.deepEqual(list.items.map((s) => s.metadata.name), ['default']);
  } finally {
    await c.stop();
  }
});
