// `kts datastore backup`'s storage side: a consistent copy of a SQLite datastore, taken from a
// read-only connection so that a running server's writes go on meanwhile (sqlite-snapshot.ts).
// The copy is written under a temporary name, checked, flushed to disk and only then given its
// name, so a file with that name is always a complete copy.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { StorageError } from './backend.js';
import { assertKtsSchema, copyDatabase, inspectSnapshot, InvalidSnapshotError, openReadOnly, type SnapshotInfo } from './sqlite-snapshot.js';
import { syncDir, syncFile } from '../util/fs.js';

export interface BackupResult extends SnapshotInfo {
  /** How long the copy took, checks included. */
  ms: number;
}

/** Copies the datastore at `dbPath` (a state.db, in use or not) to `target`, which must not exist. */
export async function backupSqlite(dbPath: string, target: string): Promise<BackupResult> {
  const started = performance.now();
  if (!existsSync(dbPath)) throw new StorageError(`no SQLite datastore at ${dbPath} (a server creates it on its first start; is the data dir right?)`);
  if (existsSync(target)) throw new StorageError(`${target} exists; not overwriting it`);
  const dir = dirname(target);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    let db: Database.Database;
    try {
      db = openReadOnly(dbPath);
    } catch (e) {
      throw new StorageError(`cannot open ${dbPath}: ${(e as Error).message}`);
    }
    try {
      assertKtsSchema(db, dbPath);
      await copyDatabase(db, tmp);
    } finally {
      db.close();
    }
    let info: SnapshotInfo;
    try {
      info = await inspectSnapshot(tmp);
    } catch (e) {
      if (e instanceof InvalidSnapshotError) throw new StorageError(`the copy failed its check: ${e.message}`);
      throw e;
    }
    await syncFile(tmp);
    // link, unlike rename, never replaces a file that appeared at `target` meanwhile.
    try {
      await link(tmp, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new StorageError(`${target} exists; not overwriting it`);
      throw e;
    }
    await rm(tmp);
    await syncDir(dir);
    return { ...info, path: target, ms: performance.now() - started };
  } finally {
    await rm(tmp, { force: true });
  }
}
