// k3s's embedded etcd: the server runs an etcd member of its own (etcd-process.ts) with TLS for
// clients and peers (etcd-pki.ts), data in <data-dir>/server/db/etcd/, and uses it as its
// datastore over loopback. Three ways to start:
//   - a new cluster (`--cluster-init` on a fresh data dir): a one-member cluster;
//   - joining (`--server URL --token …`): the member is added to the existing cluster through
//     etcd's MemberAdd, then started with --initial-cluster-state existing;
//   - a restart (the member's data exists): etcd's own WAL knows the cluster; flags are not needed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdClient } from '../../storage/etcd-client.js';
import type { EtcdTls } from '../../storage/etcd-client.js';
import type { PbMember } from '../../storage/etcd-proto.js';
import type { Logger } from '../../util/log.js';
import { sleep } from '../../util/sleep.js';
import type { Sans } from '../pki.js';
import { ensureEtcdPki } from './etcd-pki.js';
import { EtcdProcess, checkEtcdBinary } from './etcd-process.js';

export interface EmbeddedEtcdOptions {
  serverDir: string;
  advertiseAddress: string;
  clientPort: number;
  peerPort: number;
  /** The member's name on a first start (the node name); kept in the data dir after. */
  name: string;
  /** Extra names for the member's certificates (the node name is always one). */
  sans: Sans;
  /** Client URLs of an existing cluster's members, to join it (a new member only). */
  join?: { endpoints: string[] };
  /** --cluster-reset without a snapshot: restart the existing member as a one-member cluster. */
  forceNewCluster?: boolean;
  log: Logger;
  signal: AbortSignal;
}

export interface EmbeddedEtcd {
  /** The local member's loopback client URL, which the server's datastore uses. */
  endpoint: string;
  /** The client URL other servers reach this member at. */
  advertiseClientUrl: string;
  /** The member's name (the server's node name). */
  name: string;
  tls: Required<EtcdTls>;
  /** True when this start created the member (new cluster or joined), false on a restart. */
  created: boolean;
  dataDir: string;
  /** Settles once etcd has stopped (after the signal aborted). */
  done: Promise<void>;
}

export function etcdDataDir(serverDir: string): string {
  return join(serverDir, 'db', 'etcd');
}

/** True when the data dir holds an embedded etcd member (so a restart without flags reuses it). */
export function hasEtcdMember(serverDir: string): boolean {
  return existsSync(join(etcdDataDir(serverDir), 'member'));
}

export const url = (host: string, port: number) => `https://${host.includes(':') ? `[${host}]` : host}:${port}`;

export async function startEmbeddedEtcd(o: EmbeddedEtcdOptions): Promise<EmbeddedEtcd> {
  const binary = checkEtcdBinary();
  const dataDir = etcdDataDir(o.serverDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const existing = hasEtcdMember(o.serverDir);
  const nameFile = join(dataDir, 'name');
  const name = existing && existsSync(nameFile) ? readFileSync(nameFile, 'utf8').trim() : o.name;
  const pki = await ensureEtcdPki(o.serverDir, { dns: [name.toLowerCase(), ...o.sans.dns], ips: [o.advertiseAddress, ...o.sans.ips] }, (m) => o.log.info(m));
  const tls = { caPem: pki.ca.certPem, certPem: pki.client.certPem, keyPem: pki.client.keyPem };
  const peerUrl = url(o.advertiseAddress, o.peerPort);
  const advertiseClientUrl = url(o.advertiseAddress, o.clientPort);
  const endpoint = url('127.0.0.1', o.clientPort);

  let clusterArgs: string[];
  let firstStartArgs: string[] = [];
  if (existing && o.forceNewCluster) {
    o.log.warn(`etcd: resetting member ${name} in ${dataDir} to a new one-member cluster (--cluster-reset); other servers must rejoin with fresh data dirs`);
    clusterArgs = [];
    // Once: a restart of etcd later in this run must not reset the cluster members rejoined since.
    firstStartArgs = ['--force-new-cluster'];
  } else if (existing) {
    o.log.info(`etcd: reusing member ${name} in ${dataDir}`);
    clusterArgs = [];
  } else if (o.forceNewCluster) {
    throw new Error(`--cluster-reset: ${dataDir} holds no etcd member to reset`);
  } else if (o.join) {
    const initialCluster = await addMember(o.join.endpoints, tls, peerUrl, name, o.log, o.signal);
    o.log.info(`etcd: added member ${name} (${peerUrl}) to the cluster: ${initialCluster}`);
    clusterArgs = ['--initial-cluster', initialCluster, '--initial-cluster-state', 'existing'];
  } else {
    o.log.info(`etcd: creating a new cluster with member ${name} (${peerUrl})`);
    clusterArgs = ['--initial-cluster', `${name}=${peerUrl}`, '--initial-cluster-state', 'new'];
  }
  writeFileSync(nameFile, name + '\n', { mode: 0o600 });
  // Where `kts etcd-snapshot` reaches the member (its --etcd-client-port is not its flag).
  writeFileSync(join(dataDir, 'client-url'), endpoint + '\n', { mode: 0o600 });

  const args = [
    '--name', name, '--data-dir', dataDir,
    '--listen-client-urls', [...new Set([endpoint, advertiseClientUrl])].join(','),
    '--advertise-client-urls', advertiseClientUrl,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--cert-file', pki.serverCertFile, '--key-file', pki.serverKeyFile, '--trusted-ca-file', pki.caFile, '--client-cert-auth',
    '--peer-cert-file', pki.peerCertFile, '--peer-key-file', pki.peerKeyFile, '--peer-trusted-ca-file', pki.caFile, '--peer-client-cert-auth',
    '--initial-cluster-token', 'kts-etcd',
    '--logger', 'zap', '--log-outputs', 'stderr',
    ...clusterArgs,
  ];
  const logFile = join(dataDir, 'etcd.log');
  const probe = new EtcdClient({ endpoints: [endpoint], tls, callTimeoutMs: 1000 });
  let proc: EtcdProcess;
  try {
    proc = await EtcdProcess.start({ binary, args, firstStartArgs, dataDir, logFile, log: o.log, ready: () => probe.status().then(() => true, () => false) }, o.signal);
  } finally {
    probe.close();
  }
  o.log.info(`etcd: member ${name} (pid ${proc.pid}) serves clients at ${advertiseClientUrl}, peers at ${peerUrl}; log ${logFile}`);
  return { endpoint, advertiseClientUrl, name, tls, created: !existing, dataDir, done: proc.done };
}

/**
 * Adds this member to the cluster behind `endpoints` and returns etcd's --initial-cluster for it.
 * A member with our peer URL that never started (a join interrupted before) is reused; one that
 * did start holds a previous incarnation's identity (its data is gone) and is replaced.
 */
async function addMember(endpoints: string[], tls: EtcdTls, peerUrl: string, name: string, log: Logger, signal: AbortSignal): Promise<string> {
  const client = new EtcdClient({ endpoints, tls });
  try {
    const members = await client.memberList();
    const clash = members.find((m) => m.name === name && !m.peerURLs.includes(peerUrl));
    if (clash) throw new Error(`the etcd cluster already has a member named ${name} (${clash.peerURLs.join(',')}); give this server another --node-name`);
    const stale = members.find((m) => m.peerURLs.includes(peerUrl));
    let added: { member: PbMember; members: PbMember[] } | undefined;
    if (stale && !stale.name) added = { member: stale, members };
    else if (stale) {
      log.warn(`etcd: removing member ${stale.name} (${peerUrl}), a previous incarnation of this server`);
      await client.memberRemove(stale.ID);
    }
    // etcd refuses a new voting member while too few members have started (a join in progress).
    const deadline = Date.now() + 60_000;
    while (!added) {
      try {
        added = await client.memberAdd([peerUrl]);
      } catch (e) {
        if (!/unhealthy|not started|too many learner|no leader|unavailable/i.test((e as Error).message) || Date.now() > deadline || signal.aborted) throw new Error(`cannot add this server to the etcd cluster: ${(e as Error).message}`, { cause: e });
        log.info(`etcd: waiting to be added to the cluster (${(e as Error).message})`);
        await sleep(1000, signal);
      }
    }
    const newId = added.member.ID;
    // Members that have not started yet have no name; etcd needs only the started ones and us.
    return added.members
      .map((m) => (m.ID === newId ? `${name}=${peerUrl}` : m.name ? m.peerURLs.map((u) => `${m.name}=${u}`).join(',') : ''))
      .filter(Boolean)
      .join(',');
  } finally {
    client.close();
  }
}
