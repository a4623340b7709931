// `kts datastore restore`'s storage side: replaces a stopped server's SQLite datastore with a
// copy, as etcd's `snapshot restore --bump-revision --mark-compacted` does for Kubernetes.
//
// Clients (informers, watches, kubectl) hold resourceVersions from the replaced database's
// history, which may be newer than the copy's. Were the counter to go back, a watch resuming from
// such a resourceVersion would wait for, or be handed, revisions that now mean other writes, and
// miss events without noticing. So the restored store's counter is raised above every revision
// the replaced database ever handed out, and everything up to it is marked compacted: any old
// resourceVersion gets 410 Expired, and clients relist.
//
// Order of work, so that a failure at any step leaves a usable datastore: check the copy (nothing
// changed yet); take the data directory's lock (no server may run); read the current database's
// revision, checkpointing its WAL into the file; build the new database under a temporary name
// (copy, compact, raise the counter, fsync); keep the current file under a second name (a hard
// link, so state.db never disappears) with its -wal and -shm; rename the new file over state.db.
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { link, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StorageError } from './backend.js';
import { COMPACT_REVISION_KEY, lockDataDirectory, prepareStatements } from './sqlite-schema.js';
import { copyDatabase, fileTimestamp, inspectSnapshot, openReadOnly, type SnapshotInfo } from './sqlite-snapshot.js';
import { syncDir, syncFile } from '../util/fs.js';

/** Revisions added above the highest one in use, as etcd's --bump-revision (default here: 1000). */
export const DEFAULT_BUMP_REVISION = 1000;

/** A server holds the data directory's lock: a restore needs it stopped. */
export class DatastoreInUseError extends StorageError {
  constructor(message: string) {
    super(message);
    this.name = 'DatastoreInUseError';
  }
}

export interface RestoreOptions {
  /** Added to the highest revision of the copy and of the replaced database (default 1000). */
  bumpRevision?: number;
  /** For the name of the kept database (default: now). */
  now?: Date;
}

export interface RestoreResult {
  /** The copy that was restored, as it was checked. */
  source: SnapshotInfo;
  /** The revision counter after the restore; everything at or below it is compacted. */
  revision: number;
  /** The database that was replaced, if there was one. */
  previous?: {
    /** Where it was kept (its -wal and -shm beside it, if it had them). */
    path: string;
    /** Its revision, unless it could not be read (then only bumpRevision lifts the counter). */
    revision?: number;
    error?: string;
  };
}

/** Restores the datastore file `file` as `<dbDir>/state.db`; the server using dbDir must be stopped. */
export async function restoreSqlite(dbDir: string, file: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const bump = opts.bumpRevision ?? DEFAULT_BUMP_REVISION;
  if (!Number.isSafeInteger(bump) || bump < 0) throw new StorageError(`the revision bump must be a whole number >= 0, not ${bump}`);
  const statePath = join(dbDir, 'state.db');
  const source = await inspectSnapshot(file); // nothing is touched before the copy checks out
  if (existsSync(statePath) && realpathSync(file) === realpathSync(statePath)) throw new StorageError(`${file} is the datastore itself; restore from a copy`);
  await mkdir(dbDir, { recursive: true, mode: 0o700 });
  const lock = takeLock(dbDir);
  const tmp = join(dbDir, `.state.db.restore.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const current = existsSync(statePath) ? readCurrent(statePath) : undefined;
    // A -wal without its database would be replayed onto the new file: never guess, say so.
    const stray = current ? undefined : ['-wal', '-shm'].map((s) => statePath + s).find((p) => existsSync(p));
    if (stray) throw new StorageError(`${stray} is there without ${statePath}: move it away first`);
    const revision = Math.max(source.revision, current?.revision ?? 0) + bump;

    const src = openReadOnly(file);
    try {
      await copyDatabase(src, tmp);
    } finally {
      src.close();
    }
    markCompacted(tmp, source, revision);
    await syncFile(tmp);

    let previous: RestoreResult['previous'];
    if (current) {
      const kept = await keepAside(statePath, `${statePath}.before-restore-${fileTimestamp(opts.now ?? new Date())}`);
      for (const suffix of ['-wal', '-shm']) if (existsSync(statePath + suffix)) await rename(statePath + suffix, kept + suffix);
      await syncDir(dbDir);
      previous = { path: kept, ...current };
    }
    await rename(tmp, statePath);
    await syncDir(dbDir);
    return { source, revision, previous };
  } finally {
    await rm(tmp, { force: true });
    await rm(`${tmp}-journal`, { force: true }); // left only if building it failed midway
    lock.close();
  }
}

/** Hard-links `path` as `name` (or `name.1`, `name.2`, … when taken: two restores in one second). */
async function keepAside(path: string, name: string): Promise<string> {
  for (let i = 0; ; i++) {
    const kept = i === 0 ? name : `${name}.${i}`;
    try {
      await link(path, kept);
      return kept;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

function takeLock(dbDir: string): Database.Database {
  const lockPath = join(dbDir, 'state.lock');
  try {
    return lockDataDirectory(lockPath);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'SQLITE_BUSY') throw new DatastoreInUseError(`the datastore in ${dbDir} is in use (${lockPath} is locked): stop the kts server using it first`);
    throw e;
  }
}

/**
 * The current database's revision, after checkpointing its WAL into the main file (so the file
 * kept aside holds everything even without its -wal). A database that cannot be read is still
 * replaced and kept; the caller reports why its revision is unknown.
 */
function readCurrent(path: string): { revision?: number; error?: string } {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 5000 });
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { revision: Math.max(1, prepareStatements(db).maxRevision.get()?.rev ?? 0) };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    db?.close();
  }
}

/**
 * In the new database: compacts the copy's history up to its own revision (what etcd's
 * --mark-compacted leaves to the next start), sets the revision counter (AUTOINCREMENT's sequence)
 * to `revision` so the next write takes revision + 1, and records `revision` as compacted.
 */
function markCompacted(path: string, source: SnapshotInfo, revision: number): void {
  const db = new Database(path, { fileMustExist: true });
  try {
    const sql = prepareStatements(db);
    db.transaction(() => {
      const range = { lo: source.compactRevision, hi: source.revision };
      sql.compactSuperseded.run(range);
      sql.compactTombstones.run(range);
      const updated = db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'kv'").run(revision);
      if (updated.changes === 0) db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('kv', ?)").run(revision);
      sql.setMeta.run(COMPACT_REVISION_KEY, revision);
    })();
    db.pragma('incremental_vacuum');
  } finally {
    db.close();
  }
}
