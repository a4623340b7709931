import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBackend } from '../memory.js';
import { defaultEncryptionConfig, EncryptionConfigError, newKeySecret, parseEncryptionConfig, providersFor } from './config.js';
import type { Provider } from './config.js';
import { DecryptError, Transformer } from './transformer.js';
import { EncryptingBackend } from './encrypting-backend.js';
import { countByKey, reencryptPrefix } from './reencrypt.js';

const cbc = (name: string, secret = newKeySecret()): Provider => ({ aescbc: { keys: [{ name, secret }] } });
const gcm = (name: string, secret = newKeySecret()): Provider => ({ aesgcm: { keys: [{ name, secret }] } });

test('aescbc and aesgcm round-trip with upstream prefixes; ciphertext differs each time', () => {
  for (const [p, prefix] of [[cbc('k1'), 'k8s:enc:aescbc:v1:k1:'], [gcm('k2'), 'k8s:enc:aesgcm:v1:k2:']] as const) {
    const t = new Transformer([p]);
    const a = t.encrypt('/registry/secrets/ns/a', '{"data":{"x":"c2VjcmV0"}}');
    const b = t.encrypt('/registry/secrets/ns/a', '{"data":{"x":"c2VjcmV0"}}');
    assert.ok(a.startsWith(prefix), a);
    assert.notEqual(a, b);
    assert.ok(!a.includes('c2VjcmV0'));
    assert.equal(t.decrypt('/registry/secrets/ns/a', a), '{"data":{"x":"c2VjcmV0"}}');
  }
});

test('aesgcm binds the value to its storage key; a wrong key name or missing identity fails clearly', () => {
  const t = new Transformer([gcm('k')]);
  const v = t.encrypt('/registry/secrets/ns/a', 'x');
  assert.throws(() => t.decrypt('/registry/secrets/ns/b', v), DecryptError);
  assert.throws(() => new Transformer([cbc('other')]).decrypt('/k', new Transformer([cbc('k')]).encrypt('/k', 'x')), /no aescbc key named "k/);
  assert.throws(() => t.decrypt('/k', '{"plain":true}'), /no identity provider/);
  assert.equal(new Transformer([gcm('k'), { identity: {} }]).decrypt('/k', '{"plain":true}'), '{"plain":true}');
});

test('identity first writes plain text but still reads encrypted values (decrypt-only)', () => {
  const key = cbc('k');
  const enc = new Transformer([key]).encrypt('/k', 'v');
  const t = new Transformer([{ identity: {} }, key]);
  assert.equal(t.encrypt('/k', 'v'), 'v');
  assert.equal(t.decrypt('/k', enc), 'v');
});

test('config validation names the field', () => {
  const good = defaultEncryptionConfig();
  assert.deepEqual(parseEncryptionConfig(JSON.stringify(good)), good);
  assert.equal(providersFor(good, 'secrets')?.length, 2);
  const bad = (mut: (c: Record<string, unknown>) => void) => {
    const c = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
    mut(c);
    return () => parseEncryptionConfig(JSON.stringify(c));
  };
  assert.throws(bad((c) => (c.kind = 'X')), /kind: Unsupported value/);
  assert.throws(bad((c) => ((c.resources as { resources: string[] }[])[0]!.resources = ['configmaps'])), /resources\[0\]\.resources\[0\]: Unsupported value: "configmaps"/);
  assert.throws(bad((c) => ((c.resources as { providers: unknown[] }[])[0]!.providers[0] = { aescbc: { keys: [{ name: 'k', secret: 'c2hvcnQ=' }] } })), /providers\[0\]\.aescbc\.keys\[0\]\.secret: Invalid value.*got 5/);
  assert.throws(bad((c) => ((c.resources as { providers: unknown[] }[])[0]!.providers[0] = { kms: {} })), /Unsupported value/);
  assert.throws(() => parseEncryptionConfig('{not json'), EncryptionConfigError);
  assert.throws(() => parseEncryptionConfig('just text'), /must be an object/);
  const yaml = `kind: EncryptionConfiguration\napiVersion: apiserver.config.k8s.io/v1\nresources:\n- resources: [secrets]\n  providers:\n  - aesgcm:\n      keys: [{name: k, secret: ${newKeySecret()}}]\n`;
  assert.equal(providersFor(parseEncryptionConfig(yaml), 'secrets')?.length, 1);
});

test('the backend stores ciphertext for covered keys only and hands back plain values everywhere', async () => {
  const inner = createMemoryBackend();
  const b = new EncryptingBackend(inner, ['/registry/secrets/'], new Transformer([cbc('k1'), { identity: {} }]));
  const ac = new AbortController();
  const seen: string[] = [];
  void b.watch('/registry/', 0, (evs) => seen.push(...evs.map((e) => e.kv.value)), ac.signal);
  const created = await b.create('/registry/secrets/ns/s', 'PLAINTEXT');
  assert.equal(created.value, 'PLAINTEXT');
  await b.create('/registry/configmaps/ns/c', 'cm');
  assert.ok((await inner.get('/registry/secrets/ns/s')).kv!.value.startsWith('k8s:enc:aescbc:v1:k1:'));
  assert.equal((await inner.get('/registry/configmaps/ns/c')).kv!.value, 'cm');
  assert.equal((await b.get('/registry/secrets/ns/s')).kv!.value, 'PLAINTEXT');
  assert.deepEqual((await b.list('/registry/')).kvs.map((kv) => kv.value).sort(), ['PLAINTEXT', 'cm']);
  const upd = await b.update('/registry/secrets/ns/s', 'P2', created.modRevision);
  assert.equal(upd.value, 'P2');
  await assert.rejects(b.update('/registry/secrets/ns/s', 'P3', created.modRevision), (e: { current?: { value: string } }) => e.current?.value === 'P2');
  assert.equal((await b.delete('/registry/secrets/ns/s')).value, 'P2');
  await new Promise((r) => setTimeout(r, 20));
  ac.abort();
  assert.deepEqual(seen, ['PLAINTEXT', 'cm', 'P2', 'P2']);
});

test('rotation: a new first key, re-encrypt everything, then the old key can go', async () => {
  const inner = createMemoryBackend();
  const old = cbc('old');
  const b = new EncryptingBackend(inner, ['/registry/secrets/'], new Transformer([{ identity: {} }]));
  await b.create('/registry/secrets/a/plain', 'p');
  b.setTransformer(new Transformer([old, { identity: {} }]));
  for (let i = 0; i < 7; i++) await b.create(`/registry/secrets/ns/s${i}`, `v${i}`);
  assert.deepEqual([...(await countByKey(b, '/registry/secrets/'))].sort(), [['aescbc:old', 7], ['identity', 1]]);
  const fresh = gcm('new');
  b.setTransformer(new Transformer([fresh, old, { identity: {} }]));
  assert.deepEqual(await reencryptPrefix(b, '/registry/secrets/'), { rewritten: 8, current: 0 });
  assert.deepEqual(await reencryptPrefix(b, '/registry/secrets/'), { rewritten: 0, current: 8 });
  b.setTransformer(new Transformer([fresh, { identity: {} }]));
  assert.deepEqual([...(await countByKey(b, '/registry/secrets/'))], [['aesgcm:new', 8]]);
  assert.equal((await b.get('/registry/secrets/ns/s3')).kv!.value, 'v3');
  assert.equal((await b.get('/registry/secrets/a/plain')).kv!.value, 'p');
});

test('key names may contain ":" (k3s names rotated keys by time); the longest matching name wins', () => {
  const a = cbc('aescbckey-2026-01-01T00:00:00Z');
  const b = cbc('aescbckey-2026-01-01T00:00:00Z:x');
  const va = new Transformer([a]).encrypt('/k', 'A');
  const vb = new Transformer([b]).encrypt('/k', 'B');
  const both = new Transformer([a, b]);
  assert.equal(both.decrypt('/k', va), 'A');
  assert.equal(both.decrypt('/k', vb), 'B');
  assert.equal(both.keyOf(vb)?.key.name, 'aescbckey-2026-01-01T00:00:00Z:x');
  assert.ok(parseEncryptionConfig(JSON.stringify({ ...defaultEncryptionConfig(), resources: [{ resources: ['secrets'], providers: [a] }] })));
});
