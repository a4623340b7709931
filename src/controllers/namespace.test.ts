import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';
import { namespaceController } from './namespace.js';
import { StatusError } from '../api/errors.js';

test('deleting a namespace deletes its contents, then the namespace', async () => {
  const c = await startTestCluster();
  try {
    const ctx = c.context();
    const running = namespaceController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
    await c.client.create('/api/v1/namespaces/gone/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    await c.client.delete('/api/v1/namespaces/gone');
    await until(async () => {
      try {
        await c.client.get('/api/v1/namespaces/gone');
        return false;
      } catch (e) {
        return e instanceof StatusError && e.code === 404;
      }
    }, 10_000, 'namespace removal');
    const list = await c.client.list('/api/v1/namespaces/gone/configmaps');
    assert.equal(list.items.length, 0);
    void running;
  } finally {
    await c.stop();
  }
});
