import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteBackend } from '../../storage/sqlite.js';
import { EtcdClient } from '../../storage/etcd-client.js';
import { startEtcd } from '../../../test/support/etcd.js';
import type { EtcdCluster } from '../../../test/support/etcd.js';
import { migrateSqliteToEtcd } from './migrate.js';

let etcd: EtcdCluster | undefined;
const dir = mkdtempSync(join(tmpdir(), 'kts-migrate-'));
after(async () => {
  await etcd?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test('every current key of the SQLite datastore moves into etcd as stored; the database is renamed aside', async () => {
  const db = join(dir, 'db');
  const sqlite = await openSqliteBackend(db, { compactIntervalMs: 0 });
  // More keys than a page and a transaction hold, one updated, one deleted, one large value.
  for (let i = 0; i < 1234; i++) await sqlite.create(`/registry/configmaps/default/cm-${String(i).padStart(4, '0')}`, JSON.stringify({ i }));
  const kv = await sqlite.get('/registry/configmaps/default/cm-0007');
  await sqlite.update('/registry/configmaps/default/cm-0007', '{"i":"updated"}', kv.kv!.modRevision);
  const gone = await sqlite.get('/registry/configmaps/default/cm-0008');
  await sqlite.delete('/registry/configmaps/default/cm-0008', gone.kv!.modRevision);
  await sqlite.create('/registry/secrets/default/big', 'k8s:enc:aescbc:v1:key1:' + 'x'.repeat(700_000));
  await sqlite.close();

  etcd = await startEtcd();
  const moved = await migrateSqliteToEtcd(dir, { endpoints: [etcd.endpoint], tls: {} });
  assert.equal(moved?.keys, 1234 - 1 + 1);
  assert.equal(existsSync(join(db, 'state.db')), false);
  assert.ok(readdirSync(db).some((f) => /^state\.db\.migrated-\d{4}-/.test(f)), readdirSync(db).join(', '));

  const client = new EtcdClient({ endpoints: [etcd.endpoint] });
  try {
    const all = await client.range({ key: Buffer.from('/registry/'), rangeEnd: Buffer.from('/registry0'), countOnly: true });
    assert.equal(all.count, 1234);
    const get = async (k: string) => (await client.range({ key: Buffer.from(k) })).kvs[0]?.value.toString();
    assert.equal(await get('/registry/configmaps/default/cm-0007'), '{"i":"updated"}');
    assert.equal(await get('/registry/configmaps/default/cm-0008'), undefined);
    assert.equal(await get('/registry/configmaps/default/cm-1233'), '{"i":1233}');
    assert.equal((await get('/registry/secrets/default/big'))?.length, 'k8s:enc:aescbc:v1:key1:'.length + 700_000);
  } finally {
    client.close();
  }
  assert.equal(await migrateSqliteToEtcd(dir, { endpoints: [etcd.endpoint], tls: {} }), undefined, 'nothing left to migrate');
});
