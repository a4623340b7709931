// `kts datastore backup|restore` as an operator sees it: usage, the default file name, the one-line
// reports, refusals, and the warnings about Secrets encrypted at rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datastoreCommand, defaultBackupPath, type Output } from './datastore.js';
import { openSqliteBackend } from '../storage/sqlite.js';
import { EncryptingBackend } from '../storage/encryption/encrypting-backend.js';
import { Transformer } from '../storage/encryption/transformer.js';
import { defaultEncryptionConfig, providersFor, type EncryptionConfiguration } from '../storage/encryption/config.js';
import { encryptionConfigPath } from '../server/secrets-encryption.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Output = { out: (t) => (out += t), err: (t) => (err += t) };
  const code = await datastoreCommand(args, io);
  return { code, out, err };
}

async function writeConfig(dataDir: string, cfg: EncryptionConfiguration): Promise<void> {
  await mkdir(join(dataDir, 'server', 'cred'), { recursive: true });
  await writeFile(encryptionConfigPath(dataDir), JSON.stringify(cfg));
}

test('datastore: usage errors', async () => {
  for (const args of [[], ['backup', 'a', 'b'], ['restore'], ['frobnicate'], ['backup', '--bump-revision', '3'], ['restore', 'f', '--bump-revision', 'x'], ['backup', '--nope']]) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /Usage: kts datastore backup|must be a whole number/);
  }
  assert.equal((await run(['--help'])).code, 0);
  assert.match(defaultBackupPath('/d', new Date('2030-01-02T03:04:05.678Z')), /^\/d\/server\/db\/snapshots\/kts-sqlite-20300102T030405Z\.db$/);
});

test('datastore: backup to the default file, restore it, with one-line reports', async () => {
  const base = await mkdtemp(join(tmpdir(), 'kts-datastore-cmd-'));
  try {
    const dataDir = join(base, 'data');
    assert.match((await run(['backup', '--data-dir', dataDir])).err, /no SQLite datastore at .*server\/db\/state\.db/);

    const b = await openSqliteBackend(join(dataDir, 'server', 'db'), { compactIntervalMs: 0 });
    await b.create('/registry/namespaces/a', '{}');
    await b.create('/registry/namespaces/b', '{}');
    const backup = await run(['backup', '-d', dataDir]);
    assert.equal(backup.code, 0, backup.err);
    assert.equal(backup.err, '', 'no encryption, no warning');
    const m = /^backed up revision 3 \(2 keys, [\d.]+ KiB\) to (\S+) in \d+ ms\n$/.exec(backup.out);
    assert.ok(m, backup.out);
    const file = m[1]!;
    assert.match(file, /server\/db\/snapshots\/kts-sqlite-\d{8}T\d{6}Z\.db$/);

    const running = await run(['restore', file, '--data-dir', dataDir]);
    assert.equal(running.code, 1);
    assert.match(running.err, /in use .*: stop the kts server using it first/);
    await b.delete('/registry/namespaces/a');
    await b.close();

    const restore = await run(['restore', file, '--data-dir', dataDir]);
    assert.equal(restore.code, 0, restore.err);
    assert.match(restore.out, /^restored revision 3 \(2 keys\) of \S+ into \S+state\.db; revision counter raised to 1004, all below it compacted \(clients relist\); the previous database \(revision 4\) is kept as \S+state\.db\.before-restore-\d{8}T\d{6}Z\n$/);
    assert.equal(readdirSync(join(dataDir, 'server', 'db')).filter((n) => n.startsWith('state.db.before-restore-')).length, 1);
    const bad = await run(['restore', join(base, 'nothing.db'), '--data-dir', dataDir]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /nothing\.db: no such file/);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

test('datastore: warns that encrypted Secrets need the encryption configuration kept with the copy', async () => {
  const base = await mkdtemp(join(tmpdir(), 'kts-datastore-enc-'));
  try {
    const dataDir = join(base, 'data');
    const cfg = defaultEncryptionConfig();
    await writeConfig(dataDir, cfg);
    const store = await openSqliteBackend(join(dataDir, 'server', 'db'), { compactIntervalMs: 0 });
    const enc = new EncryptingBackend(store, ['/registry/secrets/'], new Transformer(providersFor(cfg, 'secrets')!));
    await enc.create('/registry/secrets/default/s', '{"data":{}}');
    await enc.create('/registry/configmaps/default/c', '{}');
    await store.close();

    const backup = await run(['backup', join(base, 'copy.db'), '--data-dir', dataDir]);
    assert.equal(backup.code, 0, backup.err);
    assert.match(backup.err, /warning: the copy holds 1 Secret \(aescbc:aescbckey: 1\) encrypted at rest with the keys in \S+encryption-config\.json; keep the copy together with that file/);

    // Restored where the configuration is missing, or has other keys: the Secrets would be unreadable.
    const other = join(base, 'other');
    const missing = await run(['restore', join(base, 'copy.db'), '--data-dir', other]);
    assert.equal(missing.code, 0, missing.err);
    assert.match(missing.err, /warning: the copy holds 1 Secret \(aescbc:aescbckey: 1\) encrypted at rest, but \S+encryption-config\.json does not exist; put back the encryption configuration/);
    await writeConfig(other, defaultEncryptionConfig('otherkey'));
    const wrong = await run(['restore', join(base, 'copy.db'), '--data-dir', other]);
    assert.match(wrong.err, /the copy holds 1 Secret \(aescbc:aescbckey: 1\) encrypted with keys that \S+ does not have/);
    // Where it has the key, there is nothing to say.
    const same = await run(['restore', join(base, 'copy.db'), '--data-dir', dataDir]);
    assert.equal(same.code, 0, same.err);
    assert.equal(same.err, '');

    // A configuration without encrypted values yet still earns a reminder on backup.
    const plain = join(base, 'plain');
    await writeConfig(plain, cfg);
    const s2 = await openSqliteBackend(join(plain, 'server', 'db'), { compactIntervalMs: 0 });
    await s2.create('/registry/configmaps/default/c', '{}');
    await s2.close();
    const reminder = await run(['backup', join(base, 'plain.db'), '--data-dir', plain]);
    assert.match(reminder.err, /secrets encryption is configured/);
    assert.ok(existsSync(join(base, 'plain.db')));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
