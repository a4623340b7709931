// The server's validated configuration, built from flags (k3s's flag names where k3s has one).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseCidr, ipToString } from '../apiserver/allocators.js';
import { buildNodeAgentConfig, primaryIp } from '../agent/node-config.js';
import type { NodeAgentConfig, RawNodeFlags } from '../agent/node-config.js';
import { AgentConfigError } from '../agent/config.js';
import { buildSecurityConfig } from './security-config.js';
import { parseEtcdEndpoint } from '../storage/etcd-endpoint.js';
import { parseSchedule } from '../controllers/cronjob/cron-schedule.js';
import type { RawSecurityFlags, SecurityConfig } from './security-config.js';

export interface ServerConfig {
  dataDir: string;
  bindAddress: string;
  httpsPort: number;
  advertiseAddress: string;
  writeKubeconfig?: string;
  writeKubeconfigMode?: number;
  disableAgent: boolean;
  clusterCidr: string;
  serviceCidr: string;
  nodePortRange: [number, number];
  tlsSans: string[];
  token?: string;
  /** Static bearer tokens (upstream's --token-auth-file CSV). */
  tokenAuthFile?: string;
  /** Requests the API server executes at once; more wait in fair per-user queues. */
  maxRequestsInflight: number;
  nodeName?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  disable: string[];
  /** The ingress controller's ports (0 = random); it runs with the in-process agent unless `--disable ingress`. */
  ingressHttpPort: number;
  ingressHttpsPort: number;
  /** The ingress data plane: nginx when installed (auto), or forced. */
  ingressProxy: 'auto' | 'nginx' | 'builtin';
  /** Cluster DNS (`--disable coredns` turns it off); port undefined: 53 when free, else any. */
  dns: { port?: number; clusterIp: string; domain: string; resolvConf: string };
  /** The in-process node agent (absent with --disable-agent). */
  agent?: NodeAgentConfig;
  /** Secrets encryption at rest and the audit log (absent: both off). */
  security?: SecurityConfig;
  /** Where objects are kept: the embedded SQLite in the data dir, or an external etcd. */
  datastore: DatastoreConfig;
  /**
   * k3s's embedded etcd: a new cluster (--cluster-init) or joining one (--server with the full
   * node token); with neither, a data dir that holds an etcd member still starts it.
   */
  embeddedEtcd: EmbeddedEtcdConfig;
}

export interface EmbeddedEtcdConfig {
  clusterInit: boolean;
  /** The existing server to join through (its URL and the cluster's K10 node token). */
  join?: { server: string; token: string };
  clientPort: number;
  peerPort: number;
  /** Scheduled snapshots of the member (absent: --etcd-disable-snapshots). */
  snapshots?: { cron: string; retention: number };
  /** --cluster-reset: restart as a new one-member cluster, from a snapshot when `restorePath` is given. */
  clusterReset?: { restorePath?: string };
}

export type DatastoreConfig =
  | { kind: 'sqlite' }
  | { kind: 'etcd'; endpoints: string[]; caFile?: string; certFile?: string; keyFile?: string };

export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/kts' : join(homedir(), '.kts');
}

export class ConfigError extends Error {}

export interface RawServerFlags extends RawNodeFlags, RawSecurityFlags {
  'data-dir'?: string;
  'bind-address'?: string;
  'https-listen-port'?: string;
  'advertise-address'?: string;
  'write-kubeconfig'?: string;
  'write-kubeconfig-mode'?: string;
  'disable-agent'?: boolean;
  'cluster-cidr'?: string;
  'service-cidr'?: string;
  'service-node-port-range'?: string;
  'tls-san'?: string[];
  token?: string;
  'token-auth-file'?: string;
  'max-requests-inflight'?: string;
  'log-level'?: string;
  'datastore-endpoint'?: string;
  'datastore-cafile'?: string;
  'datastore-certfile'?: string;
  'datastore-keyfile'?: string;
  'cluster-dns-port'?: string;
  disable?: string[];
  'ingress-http-port'?: string;
  'ingress-https-port'?: string;
  'ingress-proxy'?: string;
  'cluster-init'?: boolean;
  server?: string;
  'etcd-client-port'?: string;
  'etcd-peer-port'?: string;
  'etcd-snapshot-schedule-cron'?: string;
  'etcd-snapshot-retention'?: string;
  'etcd-disable-snapshots'?: boolean;
  'cluster-reset'?: boolean;
  'cluster-reset-restore-path'?: string;
}

export function buildServerConfig(f: RawServerFlags): ServerConfig {
  const port = Number(f['https-listen-port'] ?? '6443');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--https-listen-port: invalid port "${f['https-listen-port']}"`);
  const serviceCidr = f['service-cidr'] ?? '10.43.0.0/16';
  const clusterCidr = f['cluster-cidr'] ?? '10.42.0.0/16';
  for (const [flag, v] of [['--service-cidr', serviceCidr], ['--cluster-cidr', clusterCidr]] as const) {
    try {
      parseCidr(v);
    } catch (e) {
      throw new ConfigError(`${flag}: ${(e as Error).message}`);
    }
  }
  const range = f['service-node-port-range'] ?? '30000-32767';
  const m = /^(\d+)-(\d+)$/.exec(range);
  if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) > 65535) throw new ConfigError(`--service-node-port-range: invalid range "${range}" (want MIN-MAX)`);
  const datastore = buildDatastoreConfig(f);
  const embeddedEtcd = buildEmbeddedEtcdConfig(f, datastore);
  let mode: number | undefined;
  if (f['write-kubeconfig-mode']) {
    mode = parseInt(f['write-kubeconfig-mode'], 8);
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) throw new ConfigError(`--write-kubeconfig-mode: invalid mode "${f['write-kubeconfig-mode']}"`);
  }
  const ingressPort = (flag: 'ingress-http-port' | 'ingress-https-port', def: number) => {
    const v = Number(f[flag] ?? def);
    if (!Number.isInteger(v) || v < 0 || v > 65535) throw new ConfigError(`--${flag}: invalid port "${f[flag]}"`);
    return v;
  };
  const ingressProxy = f['ingress-proxy'] ?? 'auto';
  if (!['auto', 'nginx', 'builtin'].includes(ingressProxy)) throw new ConfigError(`--ingress-proxy: must be one of auto, nginx, builtin (got "${ingressProxy}")`);
  const level = f['log-level'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new ConfigError(`--log-level: must be one of debug, info, warn, error`);
  const dnsPort = f['cluster-dns-port'] === undefined ? undefined : Number(f['cluster-dns-port']);
  if (dnsPort !== undefined && (!Number.isInteger(dnsPort) || dnsPort < 0 || dnsPort > 65535)) throw new ConfigError(`--cluster-dns-port: invalid port "${f['cluster-dns-port']}"`);
  const inflight = Number(f['max-requests-inflight'] ?? '400');
  if (!Number.isInteger(inflight) || inflight < 1) throw new ConfigError(`--max-requests-inflight: must be a positive integer (got "${f['max-requests-inflight']}")`);
  const bind = f['bind-address'] ?? '0.0.0.0';
  const dataDir = f['data-dir'] ?? defaultDataDir();
  let agent: NodeAgentConfig | undefined;
  if (!f['disable-agent']) {
    try {
      // The cluster DNS Service gets the tenth address of the service CIDR, as in k3s.
      const dns = parseCidr(serviceCidr);
      agent = buildNodeAgentConfig(f, { dataDir, clusterDns: ipToString(dns.base + 10), logLevel: level as ServerConfig['logLevel'] });
    } catch (e) {
      if (e instanceof AgentConfigError) throw new ConfigError(e.message);
      throw e;
    }
  }
  return {
    dataDir,
    bindAddress: bind,
    httpsPort: port,
    // As k3s: the node's address, so pods reach the API through the `kubernetes` Service.
    advertiseAddress: f['advertise-address'] ?? (bind === '0.0.0.0' || bind === '::' ? agent?.nodeIp ?? primaryIp() : bind),
    writeKubeconfig: f['write-kubeconfig'],
    writeKubeconfigMode: mode,
    disableAgent: f['disable-agent'] ?? false,
    clusterCidr,
    serviceCidr,
    nodePortRange: [Number(m[1]), Number(m[2])],
    tlsSans: f['tls-san'] ?? [],
    token: f.token,
    tokenAuthFile: f['token-auth-file'],
    maxRequestsInflight: inflight,
    nodeName: f['node-name'],
    logLevel: level as ServerConfig['logLevel'],
    disable: (f.disable ?? []).flatMap((d) => d.split(',')).filter(Boolean),
    // k3s: --cluster-dns is also the kube-dns Service's address.
    dns: { port: dnsPort, clusterIp: f['cluster-dns']?.split(',')[0]?.trim() || ipToString(parseCidr(serviceCidr).base + 10), domain: f['cluster-domain'] ?? 'cluster.local', resolvConf: f['resolv-conf'] ?? '/etc/resolv.conf' },
    ingressHttpPort: ingressPort('ingress-http-port', 80),
    ingressHttpsPort: ingressPort('ingress-https-port', 443),
    ingressProxy: ingressProxy as ServerConfig['ingressProxy'],
    agent,
    security: buildSecurityConfig(f, (m) => new ConfigError(m)),
    datastore,
    embeddedEtcd,
  };
}

/** The `kubernetes` Service's ClusterIP: the first address of the service CIDR, as upstream. */
export function kubernetesServiceIp(serviceCidr: string): string {
  return ipToString(parseCidr(serviceCidr).base + 1);
}

/** --cluster-init, --server/--token (join) and the member's ports (kts-specific, for several servers on one host). */
function buildEmbeddedEtcdConfig(f: RawServerFlags, datastore: DatastoreConfig): EmbeddedEtcdConfig {
  const port = (flag: 'etcd-client-port' | 'etcd-peer-port', def: number) => {
    const v = Number(f[flag] ?? def);
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new ConfigError(`--${flag}: invalid port "${f[flag]}"`);
    return v;
  };
  const clientPort = port('etcd-client-port', 2379);
  const peerPort = port('etcd-peer-port', 2380);
  if (clientPort === peerPort) throw new ConfigError('--etcd-client-port and --etcd-peer-port must differ');
  const clusterInit = f['cluster-init'] ?? false;
  if ((clusterInit || f.server) && datastore.kind !== 'sqlite') throw new ConfigError(`--${clusterInit ? 'cluster-init' : 'server'}: the embedded etcd cannot be combined with an external --datastore-endpoint`);
  if (clusterInit && f.server) throw new ConfigError('--cluster-init starts a new cluster; --server joins an existing one: give one of them');
  let join: EmbeddedEtcdConfig['join'];
  if (f.server) {
    let u: URL;
    try {
      u = new URL(f.server);
    } catch {
      throw new ConfigError(`--server: invalid URL "${f.server}" (want https://host:6443)`);
    }
    if (u.protocol !== 'https:') throw new ConfigError(`--server: must be an https:// URL (got "${f.server}")`);
    if (!f.token || !/^K10[0-9a-f]{64}::[^:]+:.+$/i.test(f.token)) throw new ConfigError(`--server: joining a server needs --token with the cluster's full node token (K10…::server:…, in the first server's <data-dir>/server/node-token)`);
    join = { server: u.origin, token: f.token };
  }
  const embedded = datastore.kind === 'sqlite';
  const snapshotFlag = (['etcd-snapshot-schedule-cron', 'etcd-snapshot-retention', 'etcd-disable-snapshots', 'cluster-reset', 'cluster-reset-restore-path'] as const).find((k) => f[k] !== undefined);
  if (snapshotFlag && !embedded) throw new ConfigError(`--${snapshotFlag}: only for the embedded etcd (--cluster-init or --server), not an external --datastore-endpoint`);
  const cron = f['etcd-snapshot-schedule-cron'] ?? DEFAULT_SNAPSHOT_CRON;
  try {
    parseSchedule(cron);
  } catch (e) {
    throw new ConfigError(`--etcd-snapshot-schedule-cron: "${cron}": ${(e as Error).message}`);
  }
  const retention = Number(f['etcd-snapshot-retention'] ?? 5);
  if (!Number.isInteger(retention) || retention < 1) throw new ConfigError(`--etcd-snapshot-retention: must be a positive whole number (got "${f['etcd-snapshot-retention']}")`);
  const snapshots = f['etcd-disable-snapshots'] ? undefined : { cron, retention };
  if (f['cluster-reset-restore-path'] !== undefined && !f['cluster-reset']) throw new ConfigError('--cluster-reset-restore-path: only with --cluster-reset');
  if (f['cluster-reset'] && f.server) throw new ConfigError('--cluster-reset makes this server a new one-member cluster; it cannot be combined with --server');
  const clusterReset = f['cluster-reset'] ? { restorePath: f['cluster-reset-restore-path'] } : undefined;
  return { clusterInit, join, clientPort, peerPort, snapshots, clusterReset };
}

/** k3s's default: twice a day. */
export const DEFAULT_SNAPSHOT_CRON = '0 */12 * * *';

/**
 * k3s's datastore flags: no --datastore-endpoint (or sqlite://) is the embedded SQLite; one or more
 * comma-separated http(s):// URLs are an external etcd, with --datastore-cafile/certfile/keyfile for
 * TLS. Other k3s datastores (MySQL, Postgres through kine) are refused rather than ignored.
 */
function buildDatastoreConfig(f: RawServerFlags): DatastoreConfig {
  const endpoint = f['datastore-endpoint']?.trim() ?? '';
  const tlsFlags = (['datastore-cafile', 'datastore-certfile', 'datastore-keyfile'] as const).filter((k) => f[k] !== undefined);
  if (!endpoint || endpoint.startsWith('sqlite://')) {
    if (tlsFlags.length) throw new ConfigError(`--${tlsFlags[0]}: only used with an etcd --datastore-endpoint (https://host:2379)`);
    return { kind: 'sqlite' };
  }
  const urls = endpoint.split(',').map((u) => u.trim()).filter(Boolean);
  const endpoints = urls.map((url) => {
    if (!/^https?:\/\//.test(url)) {
      throw new ConfigError(`--datastore-endpoint: "${url}" is not supported; use sqlite:// (the embedded SQLite, the default) or etcd endpoints http(s)://host:2379[,...] (MySQL and Postgres are not supported)`);
    }
    try {
      return parseEtcdEndpoint(url).url;
    } catch (e) {
      throw new ConfigError(`--datastore-endpoint: ${(e as Error).message}`);
    }
  });
  if (tlsFlags.length && !endpoints.some((u) => u.startsWith('https://'))) throw new ConfigError(`--${tlsFlags[0]}: the etcd endpoints are http://; TLS needs https:// endpoints`);
  if (!f['datastore-certfile'] !== !f['datastore-keyfile']) throw new ConfigError('--datastore-certfile and --datastore-keyfile: give both (a client certificate and its key) or neither');
  return { kind: 'etcd', endpoints, caFile: f['datastore-cafile'], certFile: f['datastore-certfile'], keyFile: f['datastore-keyfile'] };
}
