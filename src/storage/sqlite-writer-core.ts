// The SQLite writer: owns the only write connection. Each group commit is one transaction and one
// fsync (synchronous=FULL).
// Revisions are assigned and conflicts checked inside the transaction, against the database itself,
// so every check sees all earlier groups and the earlier writes of its own group. Compaction steps
// go through the same queue (sqlite-writer-client.ts), so they never interleave with a write.
import type Database from 'better-sqlite3';
import { COMPACT_REVISION_KEY, prepareStatements, type LogRow, type Statements } from './sqlite-schema.js';
import type { StoredValue, WriteOp, WriteResult } from './sqlite-protocol.js';

type Row = [id: number, name: string, created: number, deleted: number, createRevision: number, prevRevision: number, value: string];

export class Writer {
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

export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
