// The SQLite schema (kine's log table) and every prepared statement the SQLite backend runs.
// One row per write: the integer primary key *is* the revision; a delete is a tombstone row that
// keeps the last value; `prev_revision` links a row to the key's previous row, and the unique index
// on (name, prev_revision) makes two writes based on the same previous row impossible. Also the
// data directory's ownership lock.
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS kv_name_prev_revision ON kv (name, prev_revision);
CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id, deleted);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/** The meta row holding the compacted revision: reads and watches below it fail with CompactedError. */
export const COMPACT_REVISION_KEY = 'compact_revision';

/** A log row as the read statements return it. */
export interface LogRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  value: string;
}

/** A log row joined with the key's previous row (for watch replay's prevKv). */
export interface EventRow extends LogRow {
  prev_id: number | null;
  prev_create_revision: number | null;
  prev_value: string | null;
}

interface Range {
  start: string;
  end: string;
}

type Stmt<P, R = unknown> = Database.Statement<[P], R>;

/** Statements that take a key range come in two forms: bounded (a prefix) and unbounded (everything). */
interface Ranged<P, R> {
  bounded: Stmt<P & Range, R>;
  open: Stmt<P & { start: string }, R>;
}

export interface Statements {
  latest: Database.Statement<[string], LogRow>;
  atRevision: Database.Statement<[string, number], LogRow>;
  insert: Database.Statement<[number, string, number, number, number, number, string]>;
  list: Ranged<{ rev: number; limit: number }, LogRow>;
  count: Ranged<{ rev: number }, { n: number }>;
  /** Rows in (@after, @rev]: the bound keeps out commits the main thread has not published yet. */
  events: Ranged<{ after: number; rev: number }, EventRow>;
  /** Deletes rows superseded by a row in (lo, hi]; then tombstones in (lo, hi]. */
  compactSuperseded: Database.Statement<[{ lo: number; hi: number }]>;
  compactTombstones: Database.Statement<[{ lo: number; hi: number }]>;
  setMeta: Database.Statement<[string, number]>;
  getMeta: Database.Statement<[string], { value: number }>;
  maxRevision: Database.Statement<[], { rev: number | null }>;
}

/**
 * Opens (creating if needed) the database with the pragmas durability and space depend on:
 * WAL + synchronous=FULL so an acknowledged commit survives kill -9 and power loss (the writer's
 * connection opens with `writer: true`, synchronous=NORMAL, and makes each group durable
 * itself with an fsync of the WAL off the event loop: sqlite-writer-client.ts); incremental
 * auto-vacuum so compaction can hand space back to the filesystem. Two connections use it: the
 * writer's (the only one that writes) and the read connection, which WAL lets
 * read a consistent snapshot while the writer commits. So the locking mode stays NORMAL (an
 * EXCLUSIVE connection in WAL mode locks out every other connection, readers included), and
 * lockDataDirectory keeps other processes out instead.
 */
export function openDatabase(path: string, opts: { writer?: boolean } = {}): Database.Database {
  // The writer never waits on another writer (there is none); the short timeout only covers a WAL
  // checkpoint waiting for a read to finish.
  const db = new Database(path, { timeout: 100 });
  try {
    db.pragma('auto_vacuum = INCREMENTAL'); // only takes effect on a new database, before any table
    db.pragma('journal_mode = WAL');
    db.pragma(opts.writer ? 'synchronous = NORMAL' : 'synchronous = FULL');
    // The writer checkpoints the WAL into the database every 10,000 pages (~40 MB) rather than
    // SQLite's 1,000: a page updated again and again is copied once per checkpoint, and each
    // checkpoint syncs twice on the event loop (commits took 7% of the API thread under Lease
    // renewals at 1,000 pages, 4% at 10,000).
    if (opts.writer) db.pragma('wal_autocheckpoint = 10000');
    db.pragma('journal_size_limit = 67108864');
    db.pragma('cache_size = -16000');
    db.pragma('temp_store = MEMORY');
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Takes the data directory's ownership lock: an exclusive lock on `<dir>/state.lock` (a tiny SQLite
 * file), held until the returned connection closes and released by the OS if the process dies. A
 * second server on the same directory, in this process or another, fails with SQLITE_BUSY. It is
 * what makes the database's single writer the only one, as kine's design requires.
 */
export function lockDataDirectory(lockPath: string): Database.Database {
  const db = new Database(lockPath, { timeout: 100 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = DELETE');
    // In EXCLUSIVE locking mode the lock a write takes is kept after its commit, so this one write
    // turns the connection into the lock holder.
    db.exec('CREATE TABLE IF NOT EXISTS owner (id INTEGER PRIMARY KEY, pid INTEGER NOT NULL)');
    db.prepare('INSERT OR REPLACE INTO owner (id, pid) VALUES (1, ?)').run(process.pid);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Prepares `sql` twice: with `column` bounded to [@start, @end), and to [@start, ∞). */
function ranged<P, R>(db: Database.Database, column: string, sql: (rangeCondition: string) => string): Ranged<P, R> {
  return {
    bounded: db.prepare<[P & Range], R>(sql(`${column} >= @start AND ${column} < @end`)),
    open: db.prepare<[P & { start: string }], R>(sql(`${column} >= @start`)),
  };
}

export function prepareStatements(db: Database.Database): Statements {
  const cols = 'id, name, created, deleted, create_revision, value';
  // A row is visible at @rev when it is the key's newest row at or below @rev and not a tombstone.
  // Walking kv_name_id in key order keeps the output sorted (no temp b-tree), lets LIMIT stop the
  // scan early (a page costs its size, not the prefix's), and checks `deleted` and the newest-row
  // condition inside the covering index before touching the table.
  const visible = `k.id <= @rev AND k.deleted = 0 AND k.id = (SELECT MAX(n.id) FROM kv AS n WHERE n.name = k.name AND n.id <= @rev)`;
  return {
    latest: db.prepare(`SELECT ${cols} FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1`),
    atRevision: db.prepare(`SELECT ${cols} FROM kv WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`),
    insert: db.prepare('INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    list: ranged(db, 'k.name', (range) => `SELECT ${cols} FROM kv AS k INDEXED BY kv_name_id WHERE ${range} AND ${visible} ORDER BY k.name LIMIT @limit`),
    count: ranged(db, 'k.name', (range) => `SELECT COUNT(*) AS n FROM kv AS k INDEXED BY kv_name_id WHERE ${range} AND ${visible}`),
    // Driven by the primary key (revision) range: the unary + keeps SQLite off the name index,
    // which would scan the prefix's whole history instead of just the rows after @after.
    events: ranged(
      db,
      '+k.name',
      (range) =>
        `SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.value,
                p.id AS prev_id, p.create_revision AS prev_create_revision, p.value AS prev_value
         FROM kv AS k LEFT JOIN kv AS p ON p.id = k.prev_revision
         WHERE k.id > @after AND k.id <= @rev AND ${range}
         ORDER BY k.id`,
    ),
    compactSuperseded: db.prepare('DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > @lo AND id <= @hi AND prev_revision > 0)'),
    compactTombstones: db.prepare('DELETE FROM kv WHERE id > @lo AND id <= @hi AND deleted = 1'),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    // AUTOINCREMENT's sqlite_sequence remembers the highest id ever used, even after compaction
    // deleted that row, so the revision counter never goes back across a restart.
    maxRevision: db.prepare("SELECT MAX(seq) AS rev FROM (SELECT seq FROM sqlite_sequence WHERE name = 'kv' UNION ALL SELECT MAX(id) FROM kv)"),
  };
}
