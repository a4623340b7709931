import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RestClient } from '../../client/rest-client.js';
import { TokenCache } from './token-cache.js';
import type { Pod } from './types.js';

test('tokens are requested bound to the pod, cached, and renewed at 80% of their lifetime', async () => {
  let now = 1_000_000;
  const requests: { path: string; body: { spec: { audiences: string[]; expirationSeconds: number; boundObjectRef: object } } }[] = [];
  let fail = false;
  const client = {
    async create(path: string, body: (typeof requests)[number]['body']) {
      if (fail) throw new Error('connection refused');
      requests.push({ path, body });
      return { status: { token: `t${requests.length}`, expirationTimestamp: new Date(now + body.spec.expirationSeconds * 1000).toISOString() } };
    },
  } as unknown as RestClient;
  const cache = new TokenCache(client, () => now);
  const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { serviceAccountName: 'robot', containers: [] } } as unknown as Pod;
  assert.equal(await cache.token(pod, '', 1000), 't1');
  assert.equal(requests[0]!.path, '/api/v1/namespaces/ns/serviceaccounts/robot/token');
  assert.deepEqual(requests[0]!.body.spec, { audiences: [], expirationSeconds: 1000, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' } });
  now += 799_000;
  assert.equal(await cache.token(pod, '', 1000), 't1', 'still fresh');
  assert.equal(await cache.token(pod, 'vault', 1000), 't2', 'another audience is another token');
  now += 2_000;
  assert.equal(await cache.token(pod, '', 1000), 't3', 'renewed past 80%');
  // While the API server is away, a still-valid token is kept.
  now += 900_000;
  fail = true;
  assert.equal(await cache.token(pod, '', 1000), 't3');
  now += 200_000;
  await assert.rejects(cache.token(pod, '', 1000), /failed to fetch token: connection refused/);
  fail = false;
  cache.forgetPod('u1');
  assert.equal(await cache.token(pod, 'vault', 1000), 't4');
});
