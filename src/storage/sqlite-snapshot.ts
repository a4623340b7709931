// Copies of the SQLite datastore (`kts datastore backup|restore`): making a consistent copy of a
// live database without holding up its writer, and checking that a file is a sound kts datastore
// before a restore trusts it. The copy is SQLite's VACUUM INTO run on a read-only connection: it
// reads one WAL snapshot (the writer keeps committing meanwhile; a reader never blocks it) and
// writes a compact, self-contained file (rollback-journal mode, no -wal beside it). SQLite's
// online-backup API would restart its copy whenever another connection writes, so under constant
// writes it might never finish.
import { open, stat, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { StorageError } from './backend.js';
import { COMPACT_REVISION_KEY, prepareStatements } from './sqlite-schema.js';

/** The file is not a readable kts SQLite datastore (nothing was changed because of it). */
export class InvalidSnapshotError extends StorageError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSnapshotError';
  }
}

/** What a datastore file holds. */
export interface SnapshotInfo {
  path: string;
  /** The revision it is at: the revision counter (AUTOINCREMENT's sequence survives compaction). */
  revision: number;
  compactRevision: number;
  /** Live keys (objects) at `revision`. */
  keys: number;
  bytes: number;
  /** Live values encrypted at rest, by the key that wrote them (`aescbc:aescbckey`). */
  encrypted: Record<string, number>;
}

const SQLITE_HEADER = 'SQLite format 3\0';
const TABLES: Record<string, string[]> = {
  kv: ['id', 'name', 'created', 'deleted', 'create_revision', 'prev_revision', 'value'],
  meta: ['key', 'value'],
};
const INDEXES = ['kv_name_prev_revision', 'kv_name_id'];

/** Opens a datastore file for reading only: nothing this connection does can change it. */
export function openReadOnly(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true });
}

/**
 * Checks that `path` is a kts SQLite datastore (its tables and indexes) that passes SQLite's
 * quick_check, and says what it holds. Throws InvalidSnapshotError otherwise.
 */
export async function inspectSnapshot(path: string): Promise<SnapshotInfo> {
  let bytes: number;
  let header: string;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new InvalidSnapshotError(`${path} is not a file`);
    bytes = st.size;
    header = await readHeader(path);
  } catch (e) {
    if (e instanceof InvalidSnapshotError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InvalidSnapshotError(code === 'ENOENT' ? `${path}: no such file` : `cannot read ${path}: ${(e as Error).message}`);
  }
  if (header !== SQLITE_HEADER) throw new InvalidSnapshotError(`${path} is not a SQLite database`);
  let db: Database.Database | undefined;
  try {
    db = openReadOnly(path);
    assertKtsSchema(db, path);
    const problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check);
    if (problems.length !== 1 || problems[0] !== 'ok') throw new InvalidSnapshotError(`${path} is damaged (SQLite quick_check: ${problems.join('; ').replace(/\s*\n\s*/g, '; ')})`);
    return { path, bytes, ...contents(db) };
  } catch (e) {
    if (e instanceof InvalidSnapshotError) throw e;
    // SQLITE_CORRUPT, SQLITE_NOTADB and the like, from opening or reading.
    throw new InvalidSnapshotError(`${path} is damaged or unreadable: ${(e as Error).message}`);
  } finally {
    db?.close();
  }
}

/** Throws InvalidSnapshotError unless `db` has the kts schema (sqlite-schema.ts). */
export function assertKtsSchema(db: Database.Database, path: string): void {
  const objects = db.prepare<[], { type: string; name: string }>("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index')").all();
  const has = (type: string, name: string) => objects.some((o) => o.type === type && o.name === name);
  for (const [table, columns] of Object.entries(TABLES)) {
    if (!has('table', table)) throw new InvalidSnapshotError(`${path} is not a kts SQLite datastore (it has no "${table}" table)`);
    const present = new Set(db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all().map((c) => c.name));
    const missing = columns.filter((c) => !present.has(c));
    if (missing.length) throw new InvalidSnapshotError(`${path} is not a kts SQLite datastore (table "${table}" lacks ${missing.join(', ')})`);
  }
  const missing = INDEXES.filter((i) => !has('index', i));
  if (missing.length) throw new InvalidSnapshotError(`${path} is not a kts SQLite datastore (missing index ${missing.join(', ')})`);
}

/** The revision, compacted revision, live keys and encrypted values of a datastore. */
function contents(db: Database.Database): Omit<SnapshotInfo, 'path' | 'bytes'> {
  const sql = prepareStatements(db);
  const revision = Math.max(1, sql.maxRevision.get()?.rev ?? 0);
  const compactRevision = sql.getMeta.get(COMPACT_REVISION_KEY)?.value ?? 0;
  const keys = sql.count.open.get({ start: '', rev: revision })?.n ?? 0;
  // Values encrypted at rest start with k8s:enc:<mode>:v1:<key name>: (encryption/transformer.ts).
  const heads = db
    .prepare<[], { head: string }>(
      `SELECT substr(k.value, 1, 200) AS head FROM kv AS k
       WHERE k.deleted = 0 AND substr(k.value, 1, 8) = 'k8s:enc:' AND k.id = (SELECT MAX(n.id) FROM kv AS n WHERE n.name = k.name)`,
    )
    .all();
  const encrypted: Record<string, number> = {};
  for (const { head } of heads) {
    const m = /^k8s:enc:([a-z0-9]+):v1:([^:]*):/.exec(head);
    const key = m ? `${m[1]}:${m[2]}` : 'unknown';
    encrypted[key] = (encrypted[key] ?? 0) + 1;
  }
  return { revision, compactRevision, keys, encrypted };
}

/**
 * Writes a consistent copy of the database `source` is connected to into `target`, which must not
 * exist: it is created first with mode 0600 (the copy holds every Secret), and VACUUM INTO fills
 * the empty file. SQLite does not fsync it: the caller does before trusting it.
 */
export async function copyDatabase(source: Database.Database, target: string): Promise<void> {
  await writeFile(target, '', { flag: 'wx', mode: 0o600 });
  source.prepare('VACUUM INTO ?').run(target);
}

async function readHeader(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SQLITE_HEADER.length);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('latin1');
  } finally {
    await fh.close();
  }
}

/** A UTC timestamp for file names: 20250102T030405Z. */
export function fileTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}
