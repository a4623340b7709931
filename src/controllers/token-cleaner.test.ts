import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';
import { startTestCluster, until, type TestCluster } from '../../test/support/cluster.js';
import { createTokenCleanerController, tokenExpiresInMs } from './token-cleaner.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, data: Record<string, string>, type = 'bootstrap.kubernetes.io/token'): KObject => ({
  apiVersion: 'v1', kind: 'Secret', type, metadata: { name, namespace: 'kube-system' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

test('expiry of token Secrets; others never expire', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(tokenExpiresInMs(secret('a', { expiration: '2026-01-01T00:00:10Z' }), now), 10_000);
  assert.equal(tokenExpiresInMs(secret('a', { expiration: 'soon' }), now), 0);
  assert.equal(tokenExpiresInMs(secret('a', {}), now), undefined);
  assert.equal(tokenExpiresInMs(secret('a', { expiration: '2020-01-01T00:00:00Z' }, 'Opaque'), now), undefined);
});

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster?.stop();
});

test('expired tokens are deleted, when they expire; others are kept', async () => {
  const soon = new Date(Date.now() + 1500).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const path = resourcePath('', 'v1', 'secrets', 'kube-system');
  await cluster.client.create(path, secret('bootstrap-token-aaaaaa', { 'token-id': 'aaaaaa', expiration: '2020-01-01T00:00:00Z' }));
  await cluster.client.create(path, secret('bootstrap-token-bbbbbb', { 'token-id': 'bbbbbb', expiration: soon }));
  await cluster.client.create(path, secret('bootstrap-token-cccccc', { 'token-id': 'cccccc' }));
  await cluster.client.create(path, secret('not-a-token', { expiration: '2020-01-01T00:00:00Z' }, 'Opaque'));
  const ctx = cluster.context();
  void createTokenCleanerController().start(ctx, cluster.signal);
  const exists = async (name: string) => cluster.client.get(`${path}/${name}`).then(() => true, (e) => {
    if (e instanceof StatusError && e.code === 404) return false;
    throw e;
  });
  await until(async () => !(await exists('bootstrap-token-aaaaaa')), 10_000, 'expired token deleted');
  assert.equal(await exists('bootstrap-token-bbbbbb'), true, 'not yet expired');
  await until(async () => !(await exists('bootstrap-token-bbbbbb')), 10_000, 'token deleted when it expires');
  assert.equal(await exists('bootstrap-token-cccccc'), true);
  assert.equal(await exists('not-a-token'), true);
});
