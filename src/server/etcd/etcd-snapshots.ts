// Snapshots of the embedded etcd (k3s's `etcd-snapshot`): files in <data-dir>/server/db/snapshots
// named <name>-<node>-<unix time> (k3s's naming: `on-demand` for `kts etcd-snapshot save`,
// `etcd-snapshot` for the server's scheduled ones), taken through etcd's Maintenance.Snapshot with
// the member's client certificate and checked against the SHA-256 etcd appends
// (storage/etcd-snapshot-stream.ts). Listing, deleting and pruning (the oldest beyond a
// retention, per name) work on the files alone.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { StorageError } from '../../storage/backend.js';
import { EtcdClient } from '../../storage/etcd-client.js';
import type { EtcdTls } from '../../storage/etcd-client.js';
import { receiveSnapshot } from '../../storage/etcd-snapshot-stream.js';
import { maxRevisionInDbFile } from '../../storage/etcd-db-revision.js';
import { etcdDataDir, hasEtcdMember } from './embedded-etcd.js';
import { etcdTlsDir } from './etcd-pki.js';

export const ON_DEMAND_NAME = 'on-demand';
export const SCHEDULED_NAME = 'etcd-snapshot';

export function snapshotDir(serverDir: string): string {
  return join(serverDir, 'db', 'snapshots');
}

/** k3s's file name: <name>-<node>-<unix seconds>. */
export function snapshotFileName(name: string, node: string, at: Date): string {
  return `${name}-${node}-${Math.floor(at.getTime() / 1000)}`;
}

/** The unix time in a snapshot's file name, or undefined for a file not named by us. */
export function snapshotTime(file: string): number | undefined {
  const m = /-(\d{9,})$/.exec(file);
  return m ? Number(m[1]) : undefined;
}

/** A snapshot name must be usable as the start of a file name. */
export function checkSnapshotName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new StorageError(`snapshot name "${name}" is not allowed: use letters, digits, '.', '_' and '-'`);
}

/** The member's name (the node name it was created with), the URL kts reaches it at, and its client TLS. */
export interface LocalMember {
  name: string;
  endpoint: string;
  tls: Required<EtcdTls>;
}

/** Reads how to reach the data dir's embedded etcd member; a clear error when it has none. */
export function localMember(serverDir: string): LocalMember {
  const dataDir = etcdDataDir(serverDir);
  if (!hasEtcdMember(serverDir)) throw new StorageError(`${dataDir} holds no embedded etcd member: snapshots are for servers started with --cluster-init or joined with --server (is the data dir right?)`);
  const read = (f: string) => readFileSync(f, 'utf8');
  const tlsDir = etcdTlsDir(serverDir);
  const urlFile = join(dataDir, 'client-url');
  return {
    name: existsSync(join(dataDir, 'name')) ? read(join(dataDir, 'name')).trim() : 'etcd',
    endpoint: existsSync(urlFile) ? read(urlFile).trim() : 'https://127.0.0.1:2379',
    tls: { caPem: read(join(tlsDir, 'ca.crt')), certPem: read(join(tlsDir, 'client.crt')), keyPem: read(join(tlsDir, 'client.key')) },
  };
}

export interface SavedSnapshot {
  name: string;
  path: string;
  bytes: number;
  /** The snapshot's revision. */
  revision: number;
  sha256: string;
  ms: number;
}

/** Takes a snapshot of the data dir's member into <snapshots>/<name>-<node>-<unix time>. */
export async function saveSnapshot(serverDir: string, o: { name?: string; now?: Date; signal?: AbortSignal } = {}): Promise<SavedSnapshot> {
  const started = performance.now();
  const name = o.name ?? ON_DEMAND_NAME;
  checkSnapshotName(name);
  const member = localMember(serverDir);
  const dir = snapshotDir(serverDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = snapshotFileName(name, member.name, o.now ?? new Date());
  const client = new EtcdClient({ endpoints: [member.endpoint], tls: member.tls, callTimeoutMs: 5000 });
  try {
    const { header } = await client.status();
    const r = await receiveSnapshot(client.snapshot(o.signal), join(dir, file));
    // The snapshot's own revision (its database's highest); the member's just before, failing that.
    const revision = await maxRevisionInDbFile(r.path).catch(() => header.revision);
    return { name: file, path: r.path, bytes: r.bytes, revision, sha256: r.sha256, ms: performance.now() - started };
  } finally {
    client.close();
  }
}

export interface SnapshotFile {
  name: string;
  /** A file:// URL, as k3s lists them. */
  location: string;
  bytes: number;
  created: Date;
}

/** The snapshots in the data dir, oldest first (by the time in their name, else the file's). */
export async function listSnapshots(serverDir: string): Promise<SnapshotFile[]> {
  const dir = snapshotDir(serverDir);
  if (!existsSync(dir)) return [];
  const out: SnapshotFile[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    // Temporary files of a snapshot being taken start with a dot; SQLite copies are not etcd's.
    if (!e.isFile() || e.name.startsWith('.') || e.name.startsWith('kts-sqlite-')) continue;
    const path = join(dir, e.name);
    const st = await stat(path);
    const t = snapshotTime(e.name);
    out.push({ name: e.name, location: pathToFileURL(path).href, bytes: st.size, created: t === undefined ? st.mtime : new Date(t * 1000) });
  }
  return out.sort((a, b) => a.created.getTime() - b.created.getTime() || a.name.localeCompare(b.name));
}

/** Deletes snapshots by name (a file name in the snapshot dir); throws naming the ones not found. */
export async function deleteSnapshots(serverDir: string, names: string[]): Promise<string[]> {
  const dir = snapshotDir(serverDir);
  const missing = names.filter((n) => basename(n) !== n || n.startsWith('.') || !existsSync(join(dir, n)));
  if (missing.length) throw new StorageError(`no snapshot named ${missing.join(', ')} in ${dir}`);
  for (const n of names) await rm(join(dir, n));
  return names.map((n) => join(dir, n));
}

/** Deletes the oldest snapshots named <name>-… beyond the newest `retention`; returns their paths. */
export async function pruneSnapshots(serverDir: string, name: string, retention: number): Promise<string[]> {
  const mine = (await listSnapshots(serverDir)).filter((s) => s.name.startsWith(`${name}-`) && snapshotTime(s.name) !== undefined);
  const old = mine.slice(0, Math.max(0, mine.length - retention)).map((s) => s.name);
  return old.length ? deleteSnapshots(serverDir, old) : [];
}
