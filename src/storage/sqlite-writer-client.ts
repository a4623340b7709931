// The SQLite write path: one write connection, on the event loop's thread, fed one request at a
// time. Each request runs in its own macrotask, so the writes that arrive while a group commit
// (and its fsync) is running queue up and form the next group (GroupCommit in sqlite.ts). A
// worker thread used to hold this connection; its own V8 isolate cost ~8 MB of the server's
// idle memory for little gain, since the benchmark floor commits on the event loop too.
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

/** Opens the writer for the database at `path` (which must exist with its schema). */
export async function startWriter(path: string): Promise<WriterClient> {
  return new Client(new Writer(openDatabase(path)));
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

  constructor(private readonly writer: Writer) {}

  write(ops: WriteOp[]): Promise<WriteResult[]> {
    return this.run(() => this.writer.commit(ops));
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
    return done;
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
