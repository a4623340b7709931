// `kts datastore backup|restore`: copies of the embedded SQLite datastore
// (<data-dir>/server/db/state.db). A backup works while the server runs, without holding up its
// writes; a restore needs the server stopped and makes clients relist (see
// storage/sqlite-restore.ts). Both say in one line what they did; warnings go to stderr.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../server/config.js';
import { encryptionConfigPath } from '../server/secrets-encryption.js';
import { parseEncryptionConfig, providersFor } from '../storage/encryption/config.js';
import { backupSqlite } from '../storage/sqlite-backup.js';
import { DEFAULT_BUMP_REVISION, restoreSqlite } from '../storage/sqlite-restore.js';
import { fileTimestamp } from '../storage/sqlite-snapshot.js';

const USAGE = `Usage: kts datastore backup [FILE] [--data-dir DIR]
       kts datastore restore FILE [--data-dir DIR] [--bump-revision N]

  backup    Copies the embedded SQLite datastore (<data-dir>/server/db/state.db) to FILE, default
            <data-dir>/server/db/snapshots/kts-sqlite-<UTC time>.db. Works while the server runs;
            its writes go on. The copy holds every object, Secrets included: keep it private.
  restore   Replaces the datastore with FILE (checked first). Stop the server first. The current
            database is kept as state.db.before-restore-<UTC time>. The revision counter is set
            N (default ${DEFAULT_BUMP_REVISION}) above every revision the replaced database and FILE used, and
            all below it is marked compacted: clients holding older resourceVersions get 410 Expired
            and relist instead of missing changes.
`;

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function datastoreCommand(args: string[], io: Output = stdio): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { 'data-dir': { type: 'string', short: 'd' }, 'bump-revision': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    io.err(`kts datastore: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const [sub, file, ...extra] = positionals;
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const bump = values['bump-revision'];
  const usable = extra.length === 0 && ((sub === 'backup' && bump === undefined) || (sub === 'restore' && file !== undefined));
  if (!usable) {
    io.err(USAGE);
    return 2;
  }
  if (bump !== undefined && !/^\d+$/.test(bump)) {
    io.err(`kts datastore restore: --bump-revision must be a whole number, not "${bump}"\n`);
    return 2;
  }
  try {
    if (sub === 'backup') backupReport(io, dataDir, await backupSqlite(join(dbDir(dataDir), 'state.db'), resolve(file ?? defaultBackupPath(dataDir))));
    else restoreReport(io, dataDir, await restoreSqlite(dbDir(dataDir), resolve(file!), { bumpRevision: bump === undefined ? undefined : Number(bump) }));
    return 0;
  } catch (e) {
    // Storage's errors say what is wrong with the files; others (permissions, a full disk) are the
    // system's words, which say enough without a stack trace.
    io.err(`kts datastore ${sub}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** Where the server keeps its datastore (as server/run.ts). */
function dbDir(dataDir: string): string {
  return join(dataDir, 'server', 'db');
}

/** k3s keeps its snapshots under server/db/snapshots too. */
export function defaultBackupPath(dataDir: string, at = new Date()): string {
  return join(dbDir(dataDir), 'snapshots', `kts-sqlite-${fileTimestamp(at)}.db`);
}

function backupReport(io: Output, dataDir: string, r: Awaited<ReturnType<typeof backupSqlite>>): void {
  io.out(`backed up revision ${r.revision} (${r.keys} keys, ${formatBytes(r.bytes)}) to ${r.path} in ${r.ms < 1000 ? `${Math.round(r.ms)} ms` : `${(r.ms / 1000).toFixed(1)} s`}\n`);
  const config = encryptionConfigPath(dataDir);
  const encrypted = describeEncrypted(r.encrypted);
  if (encrypted) io.err(`kts datastore backup: warning: the copy holds ${encrypted} encrypted at rest with the keys in ${config}; keep the copy together with that file: without it they cannot be read after a restore\n`);
  else if (existsSync(config)) io.err(`kts datastore backup: warning: secrets encryption is configured (${config}): Secrets written with it are only readable with its keys; keep the copy together with that file\n`);
}

function restoreReport(io: Output, dataDir: string, r: Awaited<ReturnType<typeof restoreSqlite>>): void {
  const parts = [`restored revision ${r.source.revision} (${r.source.keys} keys) of ${r.source.path} into ${join(dbDir(dataDir), 'state.db')}`, `revision counter raised to ${r.revision}, all below it compacted (clients relist)`];
  if (r.previous) parts.push(`the previous database${r.previous.revision === undefined ? '' : ` (revision ${r.previous.revision})`} is kept as ${r.previous.path}`);
  io.out(parts.join('; ') + '\n');
  if (r.previous?.error) io.err(`kts datastore restore: warning: the previous database could not be read (${r.previous.error}); the counter was raised above the copy's revision only\n`);
  const unreadable = keysMissingFrom(encryptionConfigPath(dataDir), r.source.encrypted);
  if (unreadable) io.err(`kts datastore restore: warning: ${unreadable}; put back the encryption configuration the copy was made with before starting the server\n`);
}

/** "3 Secrets (aescbc:aescbckey: 3)", or '' when nothing is encrypted. */
function describeEncrypted(byKey: Record<string, number>): string {
  const entries = Object.entries(byKey);
  const total = entries.reduce((n, [, c]) => n + c, 0);
  if (!total) return '';
  return `${total} Secret${total === 1 ? '' : 's'} (${entries.map(([k, c]) => `${k}: ${c}`).join(', ')})`;
}

/** Why Secrets in the copy would be unreadable with the data dir's encryption configuration, or ''. */
function keysMissingFrom(configPath: string, byKey: Record<string, number>): string {
  const encrypted = describeEncrypted(byKey);
  if (!encrypted) return '';
  if (!existsSync(configPath)) return `the copy holds ${encrypted} encrypted at rest, but ${configPath} does not exist`;
  let known: Set<string>;
  try {
    const providers = providersFor(parseEncryptionConfig(readFileSync(configPath, 'utf8')), 'secrets') ?? [];
    known = new Set(
      providers.flatMap((p) => {
        if ('aescbc' in p) return p.aescbc.keys.map((k) => `aescbc:${k.name}`);
        if ('aesgcm' in p) return p.aesgcm.keys.map((k) => `aesgcm:${k.name}`);
        return [];
      }),
    );
  } catch (e) {
    return `the copy holds ${encrypted} encrypted at rest, but ${configPath} cannot be read: ${(e as Error).message}`;
  }
  const missing = describeEncrypted(Object.fromEntries(Object.entries(byKey).filter(([k]) => !known.has(k))));
  return missing ? `the copy holds ${missing} encrypted with keys that ${configPath} does not have` : '';
}

function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]}`;
}
