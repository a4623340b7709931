import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { rootCaPublisherController } from './root-ca-publisher.js';

test('every namespace gets kube-root-ca.crt with the API CA, restored when deleted or edited', async () => {
  const c = await startTestCluster();
  try {
    const ctx = c.context({ rootCaPem: c.caPem });
    void rootCaPublisherController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    const caOf = async (ns: string) => {
      try {
        return ((await c.client.get<KObject>(`/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`)).data as Record<string, string>)['ca.crt'];
      } catch {
        return undefined;
      }
    };
    await until(async () => (await caOf('kube-system')) === c.caPem, 10_000, 'kube-system');
    await c.client.create('/api/v1/namespaces', { metadata: { name: 'team-b' } });
    await until(async () => (await caOf('team-b')) === c.caPem, 10_000, 'team-b');
    await c.client.patch('/api/v1/namespaces/team-b/configmaps/kube-root-ca.crt', { data: { 'ca.crt': 'tampered' } });
    await until(async () => (await caOf('team-b')) === c.caPem, 10_000, 'restored');
    await c.client.delete('/api/v1/namespaces/team-b/configmaps/kube-root-ca.crt');
    await until(async () => (await caOf('team-b')) === c.caPem, 10_000, 'recreated');
    assert.equal(await caOf('default'), c.caPem);
  } finally {
    await c.stop();
  }
});
