// The SQLite backend (kine's design on better-sqlite3): a log table whose primary key is the
// revision, group-committed writes, an in-memory watch fan-out with a ring of recent events, and
// background compaction. Writes and compaction go through one write connection, one request at a
// time (sqlite-writer-client.ts; the writes arriving during a commit form the next group); reads
// use a separate read connection. See docs/storage.md for the design and the durability argument.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Backend, KeyValue, ListOptions, ListResult, WatchEvent } from './backend.js';
import { CompactedError, ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError, StorageError } from './backend.js';
import { startCompactor, type Compactor } from './compactor.js';
import { GroupCommit, type Outcome } from './group-commit.js';
import { prefixEnd, rangeStart, readRevision } from './key-range.js';
import type { StoredValue, WriteOp, WriteResult } from './sqlite-protocol.js';
import { COMPACT_REVISION_KEY, lockDataDirectory, openDatabase, prepareStatements, type EventRow, type LogRow, type Statements } from './sqlite-schema.js';
import { startWriter, type WriterClient } from './sqlite-writer-client.js';
import { WatchHub } from './watch-hub.js';
import { createLogger } from '../util/log.js';

export interface SqliteBackendOptions {
  /** Background compaction interval (default 5 minutes; 0 disables). */
  compactIntervalMs?: number;
  /** Revisions of history the background compaction keeps (default 1000). */
  keepRevisions?: number;
  /** Closes the backend when aborted. */
  signal?: AbortSignal;
}

/** Recent events kept in memory for watch replay; older starts read the log table. */
const WATCH_RING_SIZE = 4096;
/** Revisions compacted per transaction, so compaction never holds up writes for long. */
const COMPACT_CHUNK = 10_000;

/** Opens (or creates) `<dir>/state.db`. */
export async function openSqliteBackend(dir: string, opts: SqliteBackendOptions = {}): Promise<Backend> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'state.db');
  const lock = lockedOrThrow(path, () => lockDataDirectory(join(dir, 'state.lock')));
  let db: Database.Database | undefined;
  let writer: WriterClient | undefined;
  try {
    // The read connection creates the schema, so the writer opens an existing database.
    db = lockedOrThrow(path, () => openDatabase(path));
    writer = await startWriter(path);
    return new SqliteBackend(db, lock, writer, opts);
  } catch (err) {
    await writer?.close().catch(() => {});
    db?.close();
    lock.close();
    throw err;
  }
}

/** Runs `open`, turning "database is locked" into an error that says what is going on. */
function lockedOrThrow<T>(path: string, open: () => T): T {
  try {
    return open();
  } catch (err) {
    if (isSqliteCode(err, 'SQLITE_BUSY')) throw new StorageError(`${path} is locked by another process (is another server using this data directory?)`);
    throw err;
  }
}

class SqliteBackend implements Backend {
  private readonly sql: Statements;
  /** The last acknowledged write's revision: reads are at or below it, never at a commit not yet published. */
  private revision: number;
  private compacted: number;
  private readonly hub: WatchHub;
  private readonly writes: GroupCommit<WriteOp, KeyValue>;
  private readonly compactor: Compactor;
  /** Compactions run one after another; this is the tail of that chain. */
  private compacting: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => void this.close();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly lock: Database.Database,
    private readonly writer: WriterClient,
    opts: SqliteBackendOptions,
  ) {
    this.sql = prepareStatements(db);
    this.revision = Math.max(1, this.sql.maxRevision.get()?.rev ?? 0);
    this.compacted = this.sql.getMeta.get(COMPACT_REVISION_KEY)?.value ?? 0;
    this.hub = new WatchHub(this.revision, WATCH_RING_SIZE);
    this.writes = new GroupCommit((ops) => this.commitWrites(ops));
    const log = createLogger({ component: 'storage/sqlite' });
    this.compactor = startCompactor(this, {
      intervalMs: opts.compactIntervalMs,
      keepRevisions: opts.keepRevisions,
      onError: (err) => log.warn(`compaction failed: ${String(err)}`),
    });
    this.signal = opts.signal;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.signal?.aborted) void this.close();
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.revision;
  }

  publishedRevision(): number {
    return this.revision;
  }

  async compactRevision(): Promise<number> {
    this.assertOpen();
    return this.compacted;
  }

  async get(key: string, revision?: number): Promise<{ kv?: KeyValue; revision: number }> {
    this.assertOpen();
    const at = readRevision(revision, this.revision, this.compacted);
    const row = this.sql.atRevision.get(key, at);
    return row && !row.deleted ? { kv: toKv(row), revision: at } : { revision: at };
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.write({ type: 'create', key, value });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.write({ type: 'update', key, value, expected: expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.write({ type: 'delete', key, expected: expectedModRevision });
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const rev = readRevision(opts.revision, this.revision, this.compacted);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const start = rangeStart(prefix, opts.startKey);
    const end = prefixEnd(prefix);
    // One extra row tells whether more remain without counting when nothing does.
    const params = { start, rev, limit: limit ? limit + 1 : -1 };
    const rows = end === undefined ? this.sql.list.open.all(params) : this.sql.list.bounded.all({ ...params, end });
    const more = limit > 0 && rows.length > limit;
    if (more) rows.pop();
    const kvs = rows.map(toKv);
    if (!more) return { kvs, revision: rev, more: false };
    const total = this.countRange(start, end, rev);
    return { kvs, revision: rev, more: true, remaining: total - kvs.length };
  }

  async count(prefix: string): Promise<{ count: number; revision: number }> {
    this.assertOpen();
    return { count: this.countRange(prefix, prefixEnd(prefix), this.revision), revision: this.revision };
  }

  async watch(prefix: string, afterRevision: number, onEvents: (events: WatchEvent[]) => void, signal: AbortSignal): Promise<void> {
    this.assertOpen();
    const after = Math.max(0, afterRevision);
    if (after < this.compacted) throw new CompactedError(after, this.compacted);
    // Reading the backlog (up to the published revision) and subscribing happen in one synchronous
    // run, and a commit's reply publishes its events and advances the revision in one run too, so no
    // event can fall between the two or arrive twice.
    const backlog = after >= this.revision ? [] : (this.hub.recent(prefix, after) ?? this.readEvents(prefix, after));
    return this.hub.subscribe(prefix, after, backlog, onEvents, signal);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision > this.revision) throw new FutureRevisionError(revision, this.revision);
    const run = this.compacting.then(() => this.compactTo(revision));
    this.compacting = run.catch(() => {});
    return run;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.signal?.removeEventListener('abort', this.onAbort);
      await this.writes.drain(); // commits and acknowledges writes already submitted
      await this.compactor.stop();
      await this.compacting;
      try {
        await this.writer.close();
      } finally {
        this.db.close();
        this.lock.close(); // the directory stays ours until every connection is closed
        // Watches end last, so a watcher that sees its watch end can reopen the directory at once.
        this.hub.close();
      }
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('storage backend is closed');
  }

  private async write(op: WriteOp): Promise<KeyValue> {
    this.assertOpen();
    return this.writes.submit(op);
  }

  /**
   * Commits one group in the writer, then, in one synchronous run, advances the revision and
   * publishes the events in revision order; GroupCommit acknowledges the callers after that.
   */
  private async commitWrites(ops: WriteOp[]): Promise<Outcome<KeyValue>[]> {
    const results = await this.writer.write(ops);
    const events: WatchEvent[] = [];
    const outcomes = ops.map((op, i): Outcome<KeyValue> => {
      const result = results[i];
      if (!result) return { ok: false, error: new StorageError(`storage writer returned no result for ${op.key}`) };
      if (!result.ok) return { ok: false, error: refusal(op, result) };
      const event = toWriteEvent(op, result);
      events.push(event);
      return { ok: true, value: event.kv };
    });
    if (events.length > 0) {
      this.revision = events[events.length - 1]!.kv.modRevision;
      this.hub.publish(events);
    }
    return outcomes;
  }

  private countRange(start: string, end: string | undefined, rev: number): number {
    const row = end === undefined ? this.sql.count.open.get({ start, rev }) : this.sql.count.bounded.get({ start, end, rev });
    return row?.n ?? 0;
  }

  /** Published events after `after` under `prefix`, from the log table (for starts older than the ring). */
  private readEvents(prefix: string, after: number): WatchEvent[] {
    const end = prefixEnd(prefix);
    const params = { start: prefix, after, rev: this.revision };
    const rows = end === undefined ? this.sql.events.open.all(params) : this.sql.events.bounded.all({ ...params, end });
    return rows.map(toEvent);
  }

  /**
   * Compacts in chunks, each its own transaction in the writer, queued behind the writes sent
   * before it, so writes keep flowing between chunks. The floor is raised before a chunk's rows go:
   * from then on reads below it fail with CompactedError instead of seeing half-compacted history.
   */
  private async compactTo(target: number): Promise<void> {
    if (target <= this.compacted) return;
    while (this.compacted < target && !this.closed) {
      const lo = this.compacted;
      const hi = Math.min(target, lo + COMPACT_CHUNK);
      this.compacted = hi;
      await this.writer.compact(lo, hi);
    }
    if (!this.closed) await this.writer.reclaim();
  }
}

/** The KeyValue and watch event of a committed write, from the op and what the writer read. */
function toWriteEvent(op: WriteOp, result: WriteResult & { ok: true }): WatchEvent {
  const prevKv = result.prev && toStoredKv(op.key, result.prev);
  if (op.type === 'create') return { type: 'put', kv: freeze(op.key, op.value, result.createRevision, result.revision), created: true };
  const value = op.type === 'update' ? op.value : (prevKv?.value ?? '');
  const kv = freeze(op.key, value, result.createRevision, result.revision);
  const type = op.type === 'update' ? 'put' : 'delete';
  return prevKv ? { type, kv, prevKv } : { type, kv };
}

function refusal(op: WriteOp, result: WriteResult & { ok: false }): StorageError {
  if (result.reason === 'exists') return new KeyExistsError(op.key);
  if (result.reason === 'not-found') return new KeyNotFoundError(op.key);
  return new ConflictError(op.key, result.current && toStoredKv(op.key, result.current));
}

function toStoredKv(key: string, stored: StoredValue): KeyValue {
  return freeze(key, stored.value, stored.createRevision, stored.modRevision);
}

function freeze(key: string, value: string, createRevision: number, modRevision: number): KeyValue {
  return Object.freeze({ key, value, createRevision, modRevision });
}

function toKv(row: LogRow): KeyValue {
  return freeze(row.name, row.value, row.create_revision, row.id);
}

function toEvent(row: EventRow): WatchEvent {
  const kv = toKv(row);
  if (row.created) return { type: 'put', kv, created: true };
  // Not a create, so the previous row is the put this write replaced; compaction keeps it because
  // it was the key's newest row at the compacted revision.
  const prevKv = row.prev_id === null ? undefined : freeze(row.name, row.prev_value!, row.prev_create_revision!, row.prev_id);
  const type = row.deleted ? 'delete' : 'put';
  return prevKv ? { type, kv, prevKv } : { type, kv };
}

function isSqliteCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === code;
}
