// k3s's migration to the embedded etcd: a server started with --cluster-init on a data dir whose
// SQLite datastore (server/db/state.db) holds objects copies every current key/value into etcd
// before the API server starts (values as stored, so encrypted Secrets stay encrypted; revisions
// are etcd's own, and clients relist after a restart anyway), then renames the database aside
// (state.db.migrated-<timestamp>, with its -wal/-shm), so it is never migrated twice. The copy
// overwrites, so a migration interrupted halfway simply runs again at the next start.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteBackend } from '../../storage/sqlite.js';
import { EtcdClient } from '../../storage/etcd-client.js';
import type { EtcdTls } from '../../storage/etcd-client.js';
import type { PbRequestOp } from '../../storage/etcd-proto.js';

/** etcd's default limits: 128 operations per transaction, 1.5 MiB per request. */
const MAX_OPS = 100;
const MAX_BYTES = 1024 * 1024;
const PAGE = 500;

export interface MigrationResult {
  keys: number;
  /** Where the SQLite database went. */
  movedTo: string;
}

export function sqliteDatabasePath(serverDir: string): string {
  return join(serverDir, 'db', 'state.db');
}

/** Copies the SQLite datastore in `serverDir` into etcd; undefined when there is no database. */
export async function migrateSqliteToEtcd(serverDir: string, etcd: { endpoints: string[]; tls: EtcdTls }): Promise<MigrationResult | undefined> {
  const dbPath = sqliteDatabasePath(serverDir);
  if (!existsSync(dbPath)) return undefined;
  const sqlite = await openSqliteBackend(join(serverDir, 'db'), { compactIntervalMs: 0 });
  const client = new EtcdClient({ endpoints: etcd.endpoints, tls: etcd.tls, callTimeoutMs: 30_000 });
  let keys = 0;
  try {
    let ops: PbRequestOp[] = [];
    let bytes = 0;
    const flush = async () => {
      if (!ops.length) return;
      await client.txn({ compare: [], success: ops, failure: [] });
      ops = [];
      bytes = 0;
    };
    // Every page at the first page's revision: one consistent snapshot.
    let revision: number | undefined;
    let startKey: string | undefined;
    for (;;) {
      const page = await sqlite.list('', { limit: PAGE, startKey, revision });
      revision = page.revision;
      for (const kv of page.kvs) {
        const key = Buffer.from(kv.key);
        const value = Buffer.from(kv.value);
        if (ops.length >= MAX_OPS || bytes + key.length + value.length > MAX_BYTES) await flush();
        ops.push({ requestPut: { key, value } });
        bytes += key.length + value.length;
        keys++;
      }
      if (!page.more || !page.kvs.length) break;
      startKey = page.kvs[page.kvs.length - 1]!.key + '\0';
    }
    await flush();
  } finally {
    client.close();
    await sqlite.close();
  }
  const movedTo = `${dbPath}.migrated-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['-wal', '-shm', '']) if (existsSync(dbPath + suffix)) renameSync(dbPath + suffix, movedTo + suffix);
  return { keys, movedTo };
}
