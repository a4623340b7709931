import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBackend } from '../storage/memory.js';
import { silentLogger } from '../util/log.js';
import { encryptionConfigPath, encryptionStatus, encryptRemaining, rotateKeys, setUpSecretsEncryption } from './secrets-encryption.js';

test('first start with the flag writes a 0600 EncryptionConfiguration; later starts reuse it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-enc-'));
  const inner = createMemoryBackend();
  assert.equal(await setUpSecretsEncryption(dir, false, inner, silentLogger), undefined);
  const se = (await setUpSecretsEncryption(dir, true, inner, silentLogger))!;
  const path = encryptionConfigPath(dir);
  assert.equal(se.configPath, path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'server', 'cred')).mode & 0o777, 0o700);
  const cfg = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(cfg.apiVersion, 'apiserver.config.k8s.io/v1');
  assert.equal(cfg.resources[0].providers[0].aescbc.keys[0].name, 'aescbckey');
  await se.backend.create('/registry/secrets/default/s', '{"data":{"k":"dg=="}}');
  const again = (await setUpSecretsEncryption(dir, true, inner, silentLogger))!;
  assert.equal((await again.backend.get('/registry/secrets/default/s')).kv!.value, '{"data":{"k":"dg=="}}');
  // Turned off with a configuration present: still reads, writes plain.
  const off = (await setUpSecretsEncryption(dir, false, inner, silentLogger))!;
  assert.equal((await off.backend.get('/registry/secrets/default/s')).kv!.value, '{"data":{"k":"dg=="}}');
  await off.backend.create('/registry/secrets/default/plain', 'P');
  assert.equal((await inner.get('/registry/secrets/default/plain')).kv!.value, 'P');
  await assert.rejects(rotateKeys(off), /secrets encryption is disabled/);
});

test('rotate-keys: new key first, every Secret rewritten, old key dropped from the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-enc-'));
  const inner = createMemoryBackend();
  const se = (await setUpSecretsEncryption(dir, true, inner, silentLogger))!;
  for (let i = 0; i < 5; i++) await se.backend.create(`/registry/secrets/ns/s${i}`, `{"i":${i}}`);
  await se.backend.create('/registry/configmaps/ns/c', 'cm');
  const r = await rotateKeys(se, new Date('2026-01-02T03:04:05.678Z'));
  assert.deepEqual(r, { newKey: 'aescbckey-2026-01-02T03:04:05Z', removedKeys: ['aescbckey'], reencrypted: 5, unchanged: 0 });
  for (let i = 0; i < 5; i++) assert.ok((await inner.get(`/registry/secrets/ns/s${i}`)).kv!.value.startsWith('k8s:enc:aescbc:v1:aescbckey-2026-01-02T03:04:05Z:'));
  const cfg = JSON.parse(readFileSync(se.configPath, 'utf8'));
  assert.deepEqual(cfg.resources[0].providers.map((p: object) => Object.keys(p)[0]), ['aescbc', 'identity']);
  assert.equal(cfg.resources[0].providers[0].aescbc.keys.length, 1);
  const st = await encryptionStatus(se);
  assert.equal(st.stage, 'reencrypt_finished');
  assert.deepEqual(st.keys, [{ active: true, type: 'AES-CBC', name: 'aescbckey-2026-01-02T03:04:05Z' }]);
  assert.deepEqual(st.secretsByKey, { 'aescbc:aescbckey-2026-01-02T03:04:05Z': 5 });
  // A restart with the rotated file reads everything back.
  const again = (await setUpSecretsEncryption(dir, true, inner, silentLogger))!;
  assert.equal((await again.backend.get('/registry/secrets/ns/s3')).kv!.value, '{"i":3}');
});

test('turning encryption on encrypts the Secrets already stored in clear text', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-enc-'));
  const inner = createMemoryBackend();
  await inner.create('/registry/secrets/ns/old', '{"data":{"k":"b2xk"}}');
  await inner.create('/registry/configmaps/ns/c', 'cm');
  const se = (await setUpSecretsEncryption(dir, true, inner, silentLogger))!;
  await encryptRemaining(se, silentLogger);
  assert.ok((await inner.get('/registry/secrets/ns/old')).kv!.value.startsWith('k8s:enc:aescbc:v1:aescbckey:'));
  assert.equal((await inner.get('/registry/configmaps/ns/c')).kv!.value, 'cm');
  assert.equal((await se.backend.get('/registry/secrets/ns/old')).kv!.value, '{"data":{"k":"b2xk"}}');
});

test('a broken configuration file stops the start with its path and the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-enc-'));
  const inner = createMemoryBackend();
  const se = (await setUpSecretsEncryption(dir, true, inner, silentLogger))!;
  const cfg = JSON.parse(readFileSync(se.configPath, 'utf8'));
  cfg.resources[0].providers[0].aescbc.keys[0].secret = 'dG9vLXNob3J0';
  writeFileSync(se.configPath, JSON.stringify(cfg));
  await assert.rejects(setUpSecretsEncryption(dir, true, inner, silentLogger), new RegExp(`^Error: ${se.configPath.replace(/[.]/g, '\\.')}: resources\\[0\\]\\.providers\\[0\\]\\.aescbc\\.keys\\[0\\]\\.secret: Invalid value`));
});
