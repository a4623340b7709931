import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/types.js';
import { BootstrapTokenAuthenticator, chainTokenAuthenticators } from './bootstrap-token-authn.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const NOW = Date.parse('2026-01-01T00:00:00Z');

function tokenSecret(id: string, secret: string, extra: Record<string, string> = {}, over: Partial<KObject> = {}): KObject {
  const data: Record<string, string> = { 'token-id': id, 'token-secret': secret, 'usage-bootstrap-authentication': 'true', 'usage-bootstrap-signing': 'true', ...extra };
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' }, type: 'bootstrap.kubernetes.io/token', data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])), ...over };
}

const authn = (...secrets: KObject[]) => new BootstrapTokenAuthenticator(async () => secrets, () => NOW);

test('a valid token authenticates as system:bootstrap:<id> with its extra groups', async () => {
  const a = authn(tokenSecret('abcdef', '0123456789abcdef', { 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token', expiration: '2026-01-02T00:00:00Z' }));
  assert.deepEqual(await a.authenticate('abcdef.0123456789abcdef'), { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'] });
});

test('wrong secret, unknown id, bad format and other namespaces are refused', async () => {
  const a = authn(tokenSecret('abcdef', '0123456789abcdef'), { ...tokenSecret('zzzzzz', '0123456789abcdef'), metadata: { name: 'bootstrap-token-zzzzzz', namespace: 'default' } });
  assert.equal(await a.authenticate('abcdef.0123456789abcdee'), undefined);
  assert.equal(await a.authenticate('ghijkl.0123456789abcdef'), undefined);
  assert.equal(await a.authenticate('ABCDEF.0123456789abcdef'), undefined);
  assert.equal(await a.authenticate('abcdef.0123456789abcdef0'), undefined);
  assert.equal(await a.authenticate('zzzzzz.0123456789abcdef'), undefined);
});

test('expired, unparsable expiration, not for authentication, wrong type, deleting: refused', async () => {
  assert.equal(await authn(tokenSecret('aaaaaa', '0123456789abcdef', { expiration: '2025-12-31T23:59:59Z' })).authenticate('aaaaaa.0123456789abcdef'), undefined);
  assert.equal(await authn(tokenSecret('aaaaaa', '0123456789abcdef', { expiration: 'tomorrow' })).authenticate('aaaaaa.0123456789abcdef'), undefined);
  assert.equal(await authn(tokenSecret('aaaaaa', '0123456789abcdef', { 'usage-bootstrap-authentication': 'false' })).authenticate('aaaaaa.0123456789abcdef'), undefined);
  assert.equal(await authn(tokenSecret('aaaaaa', '0123456789abcdef', {}, { type: 'Opaque' })).authenticate('aaaaaa.0123456789abcdef'), undefined);
  const deleting = tokenSecret('aaaaaa', '0123456789abcdef');
  deleting.metadata.deletionTimestamp = '2025-12-31T00:00:00Z';
  assert.equal(await authn(deleting).authenticate('aaaaaa.0123456789abcdef'), undefined);
  // The token-id in the data must agree with the name.
  assert.equal(await authn(tokenSecret('aaaaaa', '0123456789abcdef', { 'token-id': 'bbbbbb' })).authenticate('aaaaaa.0123456789abcdef'), undefined);
});

test('extra groups outside system:bootstrappers: refuse the token (as upstream)', async () => {
  assert.equal(await authn(tokenSecret('aaaaaa', '0123456789abcdef', { 'auth-extra-groups': 'system:masters' })).authenticate('aaaaaa.0123456789abcdef'), undefined);
});

test('chained authenticators try each in order', async () => {
  const other = { authenticate: async (t: string) => (t === 'jwt' ? { name: 'sa', groups: [] } : undefined) };
  const chain = chainTokenAuthenticators(authn(tokenSecret('abcdef', '0123456789abcdef')), undefined, other)!;
  assert.equal((await chain.authenticate('abcdef.0123456789abcdef'))?.name, 'system:bootstrap:abcdef');
  assert.equal((await chain.authenticate('jwt'))?.name, 'sa');
  assert.equal(await chain.authenticate('nope'), undefined);
});
