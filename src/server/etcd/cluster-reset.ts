// k3s's `kts server --cluster-reset --cluster-reset-restore-path=FILE`: with the server stopped,
// the snapshot becomes this server's member data as a new one-member cluster (etcdctl snapshot
// restore, which checks the snapshot's SHA-256 and rewrites its membership), the previous member
// data is kept aside as db/etcd-old-<unix time>, and the server then starts on it as usual.
//
// etcd 3.4's restore keeps the snapshot's revision, but clients may hold resourceVersions from
// after it. So the revision the old member had reached is read from its database file (it is
// still here) and, once etcd runs, the revision is raised above both by RESTORE_REVISION_MARGIN
// and everything below compacted (storage/etcd-revision-bump.ts): old resourceVersions then get
// 410 Expired and clients relist, as after etcd 3.5's --bump-revision --mark-compacted.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { maxRevisionInDbFile } from '../../storage/etcd-db-revision.js';
import type { Logger } from '../../util/log.js';
import { stopProcess } from '../../util/process.js';
import { etcdDataDir, hasEtcdMember } from './embedded-etcd.js';
import { findEtcdProcesses } from './etcd-process.js';

export const ETCDCTL_BINARY = '/usr/bin/etcdctl';
/** How far above every revision seen the restored cluster's revision is raised (as `kts datastore restore`). */
export const RESTORE_REVISION_MARGIN = 1000;

export interface RestoredMember {
  snapshot: string;
  /** The snapshot's revision, which the restored member starts at. */
  snapshotRevision: number;
  /** The revision the replaced member's database had reached, when there was one and it could be read. */
  previousRevision?: number;
  /** Where the replaced member's data was moved. */
  keptAs?: string;
  /** The revision to raise the restored cluster to once it runs. */
  bumpTo: number;
}

/** Restores `snapshot` into <server>/db/etcd as the one-member cluster `name`=`peerUrl`. The server must be stopped. */
export async function restoreSnapshotIntoMember(o: { serverDir: string; snapshot: string; name: string; peerUrl: string; log: Logger; now?: Date }): Promise<RestoredMember> {
  if (!existsSync(ETCDCTL_BINARY)) throw new Error(`restoring an etcd snapshot needs ${ETCDCTL_BINARY}, which is not installed: install Debian's etcd-client package (apt-get install -y etcd-client)`);
  const snapshot = resolve(o.snapshot);
  if (!existsSync(snapshot)) throw new Error(`--cluster-reset-restore-path: ${snapshot} does not exist`);
  const snapshotRevision = await maxRevisionInDbFile(snapshot).catch((e: Error) => {
    throw new Error(`--cluster-reset-restore-path: ${snapshot} is not an etcd snapshot: ${e.message}`);
  });
  const dataDir = etcdDataDir(o.serverDir);
  let previousRevision: number | undefined;
  let name = o.name;
  if (hasEtcdMember(o.serverDir)) {
    try {
      previousRevision = await maxRevisionInDbFile(join(dataDir, 'member', 'snap', 'db'));
    } catch (e) {
      o.log.warn(`cluster reset: cannot read the previous member's revision (${(e as Error).message}); raising the revision by ${RESTORE_REVISION_MARGIN} above the snapshot's only`);
    }
    if (existsSync(join(dataDir, 'name'))) name = readFileSync(join(dataDir, 'name'), 'utf8').trim();
  }
  for (const pid of findEtcdProcesses(dataDir)) {
    o.log.info(`cluster reset: stopping etcd (pid ${pid}) left by a previous run`);
    await stopProcess(pid, 10_000);
  }

  const stamp = Math.floor((o.now ?? new Date()).getTime() / 1000);
  const tmp = `${dataDir}-restore-${stamp}`;
  await rm(tmp, { recursive: true, force: true });
  // etcdctl checks the snapshot's SHA-256 and writes a WAL whose membership is this member only.
  const r = spawnSync(ETCDCTL_BINARY, ['snapshot', 'restore', snapshot, '--name', name, '--initial-cluster', `${name}=${o.peerUrl}`, '--initial-advertise-peer-urls', o.peerUrl, '--initial-cluster-token', 'kts-etcd', '--data-dir', tmp], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } });
  if (r.status !== 0) {
    await rm(tmp, { recursive: true, force: true });
    const why = (r.stderr || r.stdout || String(r.error ?? r.signal)).trim().split('\n').slice(-2).join('; ');
    throw new Error(`etcdctl snapshot restore ${snapshot} failed: ${why}`);
  }
  await writeFile(join(tmp, 'name'), name + '\n', { mode: 0o600 });
  let keptAs: string | undefined;
  if (existsSync(dataDir)) {
    keptAs = join(dataDir, '..', `etcd-old-${stamp}`);
    await rename(dataDir, keptAs);
  }
  await rename(tmp, dataDir);
  const bumpTo = Math.max(snapshotRevision, previousRevision ?? 0) + RESTORE_REVISION_MARGIN;
  return { snapshot, snapshotRevision, previousRevision, keptAs: keptAs && resolve(keptAs), bumpTo };
}
