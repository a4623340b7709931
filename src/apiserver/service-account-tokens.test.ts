import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startTestCluster } from '../../test/support/cluster.js';
import { RestClient } from '../client/rest-client.js';
import { StatusError } from '../api/errors.js';
import type { KObject } from '../api/types.js';
import { ServiceAccountTokens } from './service-account-tokens.js';
import type { Store } from './registry/store.js';

const status = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
    return 200;
  } catch (e) {
    if (e instanceof StatusError) return e.code;
    throw e;
  }
};

test('TokenRequest issues bound tokens the API server accepts until the pod or account is gone', async () => {
  const c = await startTestCluster();
  const clients: RestClient[] = [];
  const as = (token: string) => {
    const cl = new RestClient({ server: c.url, caPem: c.caPem, token });
    clients.push(cl);
    return cl;
  };
  try {
    await c.client.create('/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'robot' } });
    // Authenticated is not yet authorized: let the account read what the checks below read.
    await c.client.create('/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'robot-reader' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'namespaces'] }] });
    await c.client.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { metadata: { name: 'robot-reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'robot-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: 'default' }] });
    const pod = await c.client.create('/api/v1/namespaces/default/pods', { metadata: { name: 'p' }, spec: { serviceAccountName: 'robot', automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox' }] } });
    const path = '/api/v1/namespaces/default/serviceaccounts/robot/token';
    const tr = await c.client.create<KObject & { status: { token: string; expirationTimestamp: string }; spec: { audiences: string[]; expirationSeconds: number } }>(path, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: pod.metadata.uid } },
    });
    assert.equal(tr.kind, 'TokenRequest');
    assert.deepEqual(tr.spec.audiences, ['https://kubernetes.default.svc.cluster.local']);
    const claims = JSON.parse(Buffer.from(tr.status.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.iss, 'https://kubernetes.default.svc.cluster.local');
    assert.equal(claims.sub, 'system:serviceaccount:default:robot');
    assert.equal((claims.exp as number) - (claims.iat as number), 3607);
    assert.equal(Date.parse(tr.status.expirationTimestamp) / 1000, claims.exp);
    const k = claims['kubernetes.io'] as { namespace: string; pod: { name: string; uid: string }; serviceaccount: { name: string } };
    assert.equal(k.namespace, 'default');
    assert.deepEqual(k.pod, { name: 'p', uid: pod.metadata.uid });
    assert.equal(k.serviceaccount.name, 'robot');

    const robot = as(tr.status.token);
    assert.equal(await status(robot.get('/api/v1/namespaces/default/pods/p')), 200);
    assert.equal(await status(as(tr.status.token.slice(0, -4) + 'AAAA').get('/api/v1/namespaces')), 401);

    // Validation and look-ups, with upstream's wording.
    await assert.rejects(c.client.create(path, { kind: 'TokenRequest', spec: { expirationSeconds: 599 } }), /spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes/);
    await assert.rejects(c.client.create('/api/v1/namespaces/default/serviceaccounts/ghost/token', { kind: 'TokenRequest', spec: {} }), /serviceaccounts "ghost" not found/);
    await assert.rejects(c.client.create(path, { kind: 'TokenRequest', spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'other' } } }), /does not match the UID in record/);

    // An unbound token outlives the pod; the pod-bound one does not.
    const free = (await c.client.create<{ status: { token: string } }>(path, { kind: 'TokenRequest', spec: {} })).status.token;
    await c.client.delete('/api/v1/namespaces/default/pods/p', { gracePeriodSeconds: 0 });
    assert.equal(await status(robot.get('/api/v1/namespaces')), 401);
    assert.equal(await status(as(free).get('/api/v1/namespaces')), 200);
    await c.client.delete('/api/v1/namespaces/default/serviceaccounts/robot');
    assert.equal(await status(as(free).get('/api/v1/namespaces')), 401);
  } finally {
    for (const cl of clients) cl.close();
    await c.stop();
  }
});

test('expired tokens, foreign audiences and other issuers are refused', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
  const sa = { metadata: { name: 'x', namespace: 'n', uid: 'sa-uid' } };
  const stores = new Map([['/serviceaccounts', { tryGet: async (ns: string, name: string) => (ns === 'n' && name === 'x' ? sa : undefined) } as unknown as Store]]);
  let now = Date.parse('2030-01-01T00:00:00Z');
  const tokens = new ServiceAccountTokens(key, stores, { now: () => now });
  const t = (await tokens.request('n', 'x', { metadata: {}, spec: { expirationSeconds: 600 } })).status as { token: string };
  assert.deepEqual(await tokens.authenticate(t.token), { name: 'system:serviceaccount:n:x', groups: ['system:serviceaccounts', 'system:serviceaccounts:n'] });
  now += 601_000;
  assert.equal(await tokens.authenticate(t.token), undefined, 'expired');
  now -= 601_000;
  const other = (await tokens.request('n', 'x', { metadata: {}, spec: { audiences: ['vault'] } })).status as { token: string };
  assert.equal(await tokens.authenticate(other.token), undefined, 'not for the API server');
  const elsewhere = new ServiceAccountTokens(key, stores, { issuer: 'https://other', now: () => now });
  assert.equal(await elsewhere.authenticate(t.token), undefined, 'other issuer');
});
