// The SQLite write path: one write connection, on the event loop's thread, fed one request at a
// time. Each request runs in its own macrotask, so the writes that arrive while a group commit
// (and its fsync) is running queue up and form the next group (GroupCommit in sqlite.ts). A
// worker thread used to hold this connection; its own V8 isolate cost ~8 MB of the server's
// idle memory for little gain, since the benchmark floor commits on the event loop too.
//
// Durability: the connection runs synchronous=NORMAL, so a commit writes its WAL frames without
// waiting for the disk, and a write resolves only after an fsync of the WAL file made it durable,
// exactly what synchronous=FULL does inside the commit, but in libuv's thread pool: the event loop
// serves requests while the disk syncs (~0.3 ms a group here). Until then the group is neither
// acknowledged nor published, and reads stay at the published revision (sqlite.ts), so no one
// sees a write the disk does not hold yet. SQLite itself still syncs around checkpoints.
import { close as closeFd, closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase } from './sqlite-schema.js';
import { StorageError } from './backend.js';
import { Writer, errorCode } from './sqlite-writer-core.js';
import type { WriteOp, WriteResult } from './sqlite-protocol.js';

export interface WriterClient {
  /** Commits `ops` in one transaction; one result per op, in order. Rejects if nothing was committed. */
  write(ops: WriteOp[]): Promise<WriteResult[]>;
  /** Compacts revisions (lo, hi] and records hi as the compacted revision. */
  compact(lo: number, hi: number): Promise<void>;
  /** Returns free pages to the filesystem and truncates the WAL. */
  reclaim(): Promise<void>;
  /** Closes the write connection after every request sent before. */
  close(): Promise<void>;
}

/** How the WAL is synced (fs.fsync; tests pass a slow or failing one). */
export type Fsync = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;

/** Opens the writer for the database at `path` (which must exist with its schema). */
export async function startWriter(path: string, opts: { fsync?: Fsync } = {}): Promise<WriterClient> {
  return new Client(new Writer(openDatabase(path, { writer: true })), path, opts.fsync ?? fsync);
}

/** An unexpected SQLite error (disk full, I/O) keeps its code. */
function storageError(err: unknown): StorageError {
  const e = new StorageError(err instanceof Error ? err.message : String(err));
  const code = errorCode(err);
  if (code) Object.assign(e, { code });
  return e;
}

class Client implements WriterClient {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** The WAL file, opened at the first sync (SQLite removes it only when its last connection closes). */
  private wal: number | undefined;
  /** The syncs in flight (close waits for them). */
  private readonly syncing = new Set<Promise<void>>();
  /** Set once an fsync failed: what the disk holds is then unknown, and no write is acknowledged. */
  private failed: StorageError | undefined;

  constructor(
    private readonly writer: Writer,
    private readonly path: string,
    private readonly fsync: Fsync,
  ) {}

  async write(ops: WriteOp[]): Promise<WriteResult[]> {
    if (this.failed) throw this.failed;
    const results = await this.run(() => this.writer.commit(ops));
    const sync = this.syncWal();
    this.syncing.add(sync);
    try {
      await sync;
    } finally {
      this.syncing.delete(sync);
    }
    return results;
  }

  /** Makes every commit so far durable: fsync of the WAL file, off the event loop. */
  private syncWal(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.wal === undefined) {
      this.wal = openSync(`${this.path}-wal`, 'r');
      // Once, for a WAL file this start created: its directory entry must be durable too.
      const dir = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    const fd = this.wal;
    return new Promise<void>((resolve, reject) =>
      this.fsync(fd, (err) => {
        if (!err) return resolve();
        this.failed ??= storageError(new Error(`fsync of the SQLite WAL failed (${err.message}): no further write is accepted; restart the server`));
        reject(this.failed);
      }),
    );
  }

  compact(lo: number, hi: number): Promise<void> {
    return this.run(() => this.writer.compact(lo, hi));
  }

  reclaim(): Promise<void> {
    return this.run(() => this.writer.reclaim());
  }

  close(): Promise<void> {
    if (this.closed) return this.tail.then(() => undefined);
    const done = this.run(() => this.writer.close());
    this.closed = true;
    return done.then(async () => {
      await Promise.allSettled([...this.syncing]);
      if (this.wal !== undefined) closeFd(this.wal, () => {});
      this.wal = undefined;
    });
  }

  /** Runs `f` after every earlier request, in a macrotask of its own. */
  private run<T>(f: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StorageError('storage writer is closed'));
    const result = this.tail.then(
      () =>
        new Promise<T>((resolve, reject) =>
          setImmediate(() => {
            try {
              resolve(f());
            } catch (err) {
              reject(storageError(err));
            }
          }),
        ),
    );
    this.tail = result.catch(() => undefined);
    return result;
  }
}
