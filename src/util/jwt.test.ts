import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { keyId, signJwt, verifyJwt } from './jwt.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { priv: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, pub: publicKey.export({ type: 'spki', format: 'pem' }) as string };
};

test('RS256 tokens verify with their key only, and tampering is caught', () => {
  const a = pair();
  const b = pair();
  const t = signJwt({ sub: 'system:serviceaccount:default:x', exp: 1 }, a.priv);
  const [h] = t.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(h!, 'base64url').toString()), { alg: 'RS256', kid: keyId(a.pub) });
  assert.deepEqual(verifyJwt(t, a.pub), { sub: 'system:serviceaccount:default:x', exp: 1 });
  assert.equal(verifyJwt(t, b.pub), undefined);
  const parts = t.split('.');
  const forged = `${parts[0]}.${Buffer.from(JSON.stringify({ sub: 'system:serviceaccount:kube-system:admin', exp: 1 })).toString('base64url')}.${parts[2]}`;
  assert.equal(verifyJwt(forged, a.pub), undefined);
  const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${parts[1]}.${parts[2]}`;
  assert.equal(verifyJwt(none, a.pub), undefined);
  assert.equal(verifyJwt('not a token', a.pub), undefined);
});
