// The SQLite writer worker: owns the only write connection, so each group commit's transaction and
// its fsync (synchronous=FULL) run on this thread instead of blocking the API server's event loop.
// Revisions are assigned and conflicts checked inside the transaction, against the database itself,
// so every check sees all earlier groups and the earlier writes of its own group. Compaction steps
// arrive on the same message queue, so they never interleave with a write transaction.
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openDatabase, prepareStatements, type LogRow, type Statements } from './sqlite-schema.js';
import { READY_ID, type StoredValue, type WriteOp, type WriteResult, type WriterData, type WriterReply, type WriterRequest } from './sqlite-protocol.js';

const COMPACT_REVISION_KEY = 'compact_revision';

type Row = [id: number, name: string, created: number, deleted: number, createRevision: number, prevRevision: number, value: string];

class Writer {
  private readonly sql: Statements;
  readonly commit: (ops: WriteOp[]) => WriteResult[];
  readonly compact: (lo: number, hi: number) => void;

  constructor(private readonly db: Database.Database) {
    this.sql = prepareStatements(db);
    this.commit = db.transaction((ops: WriteOp[]) => this.apply(ops));
    this.compact = db.transaction((lo: number, hi: number) => {
      this.sql.compactSuperseded.run({ lo, hi });
      this.sql.compactTombstones.run({ lo, hi });
      this.sql.setMeta.run(COMPACT_REVISION_KEY, hi);
    });
  }

  /**
   * Hands freed pages back to the filesystem when a sizeable share of the file is free (under steady
   * churn SQLite reuses them anyway), then checkpoints and truncates the WAL so it stays small too.
   */
  reclaim(): void {
    const free = Number(this.db.pragma('freelist_count', { simple: true }));
    const pages = Number(this.db.pragma('page_count', { simple: true }));
    if (free >= 256 && free * 4 >= pages) this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }

  /** Runs inside the transaction. A refused write takes no revision and fails alone. */
  private apply(ops: WriteOp[]): WriteResult[] {
    // The database is the source of truth for the counter (AUTOINCREMENT's sequence survives
    // compaction of the newest row), so a rolled-back group needs no counter repair.
    let revision = Math.max(1, this.sql.maxRevision.get()?.rev ?? 0);
    return ops.map((op) => {
      const result = this.applyOne(op, revision + 1);
      if (result.ok) revision++;
      return result;
    });
  }

  private applyOne(op: WriteOp, rev: number): WriteResult {
    const row = this.sql.latest.get(op.key);
    const prev = row && !row.deleted ? stored(row) : undefined;
    const prevRevision = row?.id ?? 0;
    if (op.type === 'create') {
      if (prev) return { ok: false, reason: 'exists' };
      return this.insert(prev, [rev, op.key, 1, 0, rev, prevRevision, op.value]) ?? { ok: true, revision: rev, createRevision: rev };
    }
    if (!prev) return { ok: false, reason: 'not-found' };
    if (op.expected !== undefined && op.expected !== prev.modRevision) return { ok: false, reason: 'conflict', current: prev };
    const value = op.type === 'update' ? op.value : prev.value;
    const refused = this.insert(prev, [rev, op.key, 0, op.type === 'delete' ? 1 : 0, prev.createRevision, prevRevision, value]);
    return refused ?? { ok: true, revision: rev, createRevision: prev.createRevision, prev };
  }

  /** Inserts a row; returns a conflict when the (name, prev_revision) index refuses it. */
  private insert(current: StoredValue | undefined, row: Row): WriteResult | undefined {
    try {
      this.sql.insert.run(...row);
      return undefined;
    } catch (err) {
      // A write based on a superseded row: cannot happen while this is the only writer, but the
      // index is the last word, and a stale write must never overwrite.
      if (errorCode(err) === 'SQLITE_CONSTRAINT_UNIQUE') return { ok: false, reason: 'conflict', current };
      throw err;
    }
  }
}

function stored(row: LogRow): StoredValue {
  return { modRevision: row.id, createRevision: row.create_revision, value: row.value };
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function handle(writer: Writer, req: WriterRequest): WriterReply {
  switch (req.type) {
    case 'write':
      return { id: req.id, ok: true, results: writer.commit(req.ops) };
    case 'compact':
      writer.compact(req.lo, req.hi);
      return { id: req.id, ok: true };
    case 'reclaim':
      writer.reclaim();
      return { id: req.id, ok: true };
    case 'close':
      writer.close();
      return { id: req.id, ok: true };
  }
}

const port = parentPort;
if (!port) throw new Error('sqlite-writer must run in a worker thread');
// Opening fails loudly (the worker's error event), which the backend turns into a failed open.
const writer = new Writer(openDatabase((workerData as WriterData).path));
port.on('message', (req: WriterRequest) => {
  let reply: WriterReply;
  try {
    reply = handle(writer, req);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = errorCode(err);
    reply = { id: req.id, ok: false, error: code ? { message, code } : { message } };
  }
  port.postMessage(reply);
  if (req.type === 'close') port.close(); // nothing else keeps the worker alive: it exits
});
port.postMessage({ id: READY_ID, ok: true } satisfies WriterReply);
