// The SQLite backend (kine's design on better-sqlite3): a log table whose primary key is the
// revision, group-committed writes, an in-memory watch fan-out with a ring of recent events, and
// background compaction. See docs/storage.md for the design and the durability argument.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Backend, KeyValue, ListOptions, ListResult, WatchEvent } from './backend.js';
import { CompactedError, ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError, StorageError } from './backend.js';
import { startCompactor, type Compactor } from './compactor.js';
import { GroupCommit, type Outcome } from './group-commit.js';
import { prefixEnd, rangeStart, readRevision } from './key-range.js';
import { openDatabase, prepareStatements, type EventRow, type LogRow, type Statements } from './sqlite-schema.js';
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
/** Revisions compacted per transaction, so compaction never blocks the event loop for long. */
const COMPACT_CHUNK = 10_000;
const COMPACT_REVISION_KEY = 'compact_revision';

type WriteOp =
  | { type: 'create'; key: string; value: string }
  | { type: 'update'; key: string; value: string; expected: number }
  | { type: 'delete'; key: string; expected?: number };

/** Opens (or creates) `<dir>/state.db`. */
export async function openSqliteBackend(dir: string, opts: SqliteBackendOptions = {}): Promise<Backend> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'state.db');
  let db: Database.Database;
  try {
    db = openDatabase(path);
  } catch (err) {
    if (isSqliteCode(err, 'SQLITE_BUSY')) throw new StorageError(`${path} is locked by another process (is another server using this data directory?)`);
    throw err;
  }
  try {
    return new SqliteBackend(db, opts);
  } catch (err) {
    db.close();
    throw err;
  }
}

class SqliteBackend implements Backend {
  private readonly sql: Statements;
  private revision: number;
  private compacted: number;
  private readonly hub: WatchHub;
  private readonly writes: GroupCommit<WriteOp, KeyValue>;
  private readonly commitBatch: (ops: WriteOp[]) => { outcomes: Outcome<KeyValue>[]; events: WatchEvent[]; revision: number };
  private readonly compactor: Compactor;
  /** Compactions run one after another; this is the tail of that chain. */
  private compacting: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => void this.close();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly db: Database.Database,
    opts: SqliteBackendOptions,
  ) {
    this.sql = prepareStatements(db);
    this.revision = Math.max(1, this.sql.maxRevision.get()?.rev ?? 0);
    this.compacted = this.sql.getMeta.get(COMPACT_REVISION_KEY)?.value ?? 0;
    this.hub = new WatchHub(this.revision, WATCH_RING_SIZE);
    this.commitBatch = db.transaction((ops: WriteOp[]) => this.applyBatch(ops));
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
    // Reading the backlog and subscribing happen in one synchronous run, and commits publish in
    // the same run as they commit, so no event can fall between the two or arrive twice.
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
      this.writes.drain(); // commits and acknowledges writes already submitted
      await this.compactor.stop();
      await this.compacting;
      this.hub.close();
      this.db.close();
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

  /** Commits one group of writes in one transaction, then publishes their events. */
  private commitWrites(ops: WriteOp[]): Outcome<KeyValue>[] {
    const { outcomes, events, revision } = this.commitBatch(ops);
    this.revision = revision;
    this.hub.publish(events);
    return outcomes;
  }

  /** Runs inside the transaction. Expected failures (exists, conflict, not found) fail only their op. */
  private applyBatch(ops: WriteOp[]): { outcomes: Outcome<KeyValue>[]; events: WatchEvent[]; revision: number } {
    const outcomes: Outcome<KeyValue>[] = [];
    const events: WatchEvent[] = [];
    let revision = this.revision;
    for (const op of ops) {
      try {
        const event = this.applyOne(op, revision + 1);
        revision++;
        events.push(event);
        outcomes.push({ ok: true, value: event.kv });
      } catch (err) {
        if (!(err instanceof StorageError)) throw err; // anything else aborts the whole batch
        outcomes.push({ ok: false, error: err });
      }
    }
    return { outcomes, events, revision };
  }

  private applyOne(op: WriteOp, rev: number): WatchEvent {
    const row = this.sql.latest.get(op.key);
    const prev = row && !row.deleted ? toKv(row) : undefined;
    const prevRevision = row?.id ?? 0;
    if (op.type === 'create') {
      if (prev) throw new KeyExistsError(op.key);
      const kv = freeze(op.key, op.value, rev, rev);
      this.insert(op.key, prev, [rev, op.key, 1, 0, rev, prevRevision, op.value]);
      return { type: 'put', kv, created: true };
    }
    if (!prev) throw new KeyNotFoundError(op.key);
    if (op.expected !== undefined && op.expected !== prev.modRevision) throw new ConflictError(op.key, prev);
    if (op.type === 'update') {
      const kv = freeze(op.key, op.value, prev.createRevision, rev);
      this.insert(op.key, prev, [rev, op.key, 0, 0, prev.createRevision, prevRevision, op.value]);
      return { type: 'put', kv, prevKv: prev };
    }
    const kv = freeze(op.key, prev.value, prev.createRevision, rev);
    this.insert(op.key, prev, [rev, op.key, 0, 1, prev.createRevision, prevRevision, prev.value]);
    return { type: 'delete', kv, prevKv: prev };
  }

  private insert(key: string, current: KeyValue | undefined, row: [number, string, number, number, number, number, string]): void {
    try {
      this.sql.insert.run(...row);
    } catch (err) {
      // The (name, prev_revision) index refused a write based on a superseded row.
      if (isSqliteCode(err, 'SQLITE_CONSTRAINT_UNIQUE')) throw new ConflictError(key, current);
      throw err;
    }
  }

  private countRange(start: string, end: string | undefined, rev: number): number {
    const row = end === undefined ? this.sql.count.open.get({ start, rev }) : this.sql.count.bounded.get({ start, end, rev });
    return row?.n ?? 0;
  }

  /** Events after `after` under `prefix`, from the log table (for starts older than the ring). */
  private readEvents(prefix: string, after: number): WatchEvent[] {
    const end = prefixEnd(prefix);
    const rows = end === undefined ? this.sql.events.open.all({ start: prefix, after }) : this.sql.events.bounded.all({ start: prefix, end, after });
    return rows.map(toEvent);
  }

  private async compactTo(target: number): Promise<void> {
    if (target <= this.compacted) return;
    const step = this.db.transaction((lo: number, hi: number) => {
      this.sql.compactSuperseded.run({ lo, hi });
      this.sql.compactTombstones.run({ lo, hi });
      this.sql.setMeta.run(COMPACT_REVISION_KEY, hi);
    });
    while (this.compacted < target && !this.closed) {
      const hi = Math.min(target, this.compacted + COMPACT_CHUNK);
      step(this.compacted, hi);
      this.compacted = hi;
      if (hi < target) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (!this.closed) this.reclaimSpace();
  }

  /**
   * Hands freed pages back to the filesystem when a sizeable share of the file is free (under steady
   * churn SQLite reuses them anyway), then checkpoints and truncates the WAL so it stays small too.
   */
  private reclaimSpace(): void {
    const free = Number(this.db.pragma('freelist_count', { simple: true }));
    const pages = Number(this.db.pragma('page_count', { simple: true }));
    if (free >= 256 && free * 4 >= pages) this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
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
