// The kts command line: argv → a validated config → server.run / other commands. Kept thin.
import { parseArgs } from 'node:util';
import { setMaxListeners } from 'node:events';
import { createLogger } from '../util/log.js';
import { buildServerConfig, ConfigError } from '../server/config.js';
import type { RawServerFlags } from '../server/config.js';
import { runServer } from '../server/run.js';
import { KTS_VERSION, KUBE_VERSION } from '../server/version.js';
import { SECURITY_HELP, securityFlagOptions } from '../server/security-config.js';

const HELP = `kts — Kubernetes, written in TypeScript (${KUBE_VERSION}-kts.${KTS_VERSION})

Usage:
  kts server [flags]     Run a control plane (API server, datastore, controllers)
  kts agent [flags]      Run a node agent that joins a server (--simulated: simulated nodes)
  kts token COMMAND      Bootstrap tokens for joining agents: create, list, delete, generate
  kts image import|ls    Import image archives into the node, list its images (--data-dir)
  kts cleanup            Stop the node's pods and containerd, remove their host state (--data-dir)
  kts secrets-encrypt status|rotate-keys   Secrets encryption state; rotate the key, re-encrypt all
  kts certificate check|rotate             List certificates and expiry; renew leaf certificates
  kts datastore backup|restore             Copy the SQLite datastore, live; restore a copy with the server stopped
  kts etcd-snapshot save|ls|delete|prune   Snapshots of the embedded etcd (restore: kts server --cluster-reset)
  kts --version          Print the version
  kts --help             Show this help

Server flags (k3s names):
  -d, --data-dir DIR               Data directory (default /var/lib/kts as root, ~/.kts otherwise)
      --https-listen-port PORT     HTTPS port of the API server (default 6443)
      --bind-address ADDR          Address to listen on (default 0.0.0.0)
      --advertise-address ADDR     Address clients and the kubernetes Service use (default: the
                                   --bind-address, or the node's IP when it binds all)
  -o, --write-kubeconfig FILE      Also write the admin kubeconfig to FILE
      --write-kubeconfig-mode MODE File mode of that kubeconfig (e.g. 644)
      --tls-san NAME               Extra DNS name or IP for the serving certificate (repeatable)
      --cluster-cidr CIDR          Pod network (default 10.42.0.0/16)
      --service-cidr CIDR          Service network (default 10.43.0.0/16)
      --service-node-port-range R  NodePort range (default 30000-32767)
      --token TOKEN                Shared secret nodes use to join (default: generated); with --server,
                                   the cluster's node token
      --token-auth-file FILE       Static bearer tokens: CSV of token,user,uid,"group1,group2"
      --max-requests-inflight N    Requests the API server runs at once (default 400, as upstream); others wait in fair per-user queues
      --disable-agent              Do not run the node agent in-process
      --datastore-endpoint URL     Datastore: sqlite:// (default: embedded SQLite in the data dir) or an
                                   etcd cluster, https://host:2379[,https://host2:2379,...] (or http://)
      --datastore-cafile FILE      CA bundle that verifies the etcd servers' certificates
      --datastore-certfile FILE    Client certificate for etcd (with --datastore-keyfile)
      --datastore-keyfile FILE     Key of that client certificate
      --cluster-init               Start a new cluster on an embedded etcd (Debian's etcd-server,
                                   run by kts; data in <data-dir>/server/db/etcd); moves an existing
                                   SQLite datastore into it
  -s, --server URL                 Join the cluster of the server at URL (https://host:6443) as
                                   another server with an etcd member (needs --token: the node token)
      --etcd-client-port PORT      The embedded etcd member's client port (default 2379)
      --etcd-peer-port PORT        The embedded etcd member's peer port (default 2380)
      --etcd-snapshot-schedule-cron SPEC  When the embedded etcd is snapshotted, in the host's time
                                   zone (default "0 */12 * * *"); into <data-dir>/server/db/snapshots
      --etcd-snapshot-retention N  Scheduled snapshots to keep (default 5)
      --etcd-disable-snapshots     No scheduled snapshots
      --cluster-reset              Make this server's etcd member a new one-member cluster (its data
                                   kept); other servers must then rejoin with fresh data dirs
      --cluster-reset-restore-path FILE  With --cluster-reset: restore the cluster from this
                                   snapshot first (the previous member data is kept aside)

Node flags (the in-process agent; also for kts agent):
      --node-name NAME             Node name (default: the hostname)
      --node-ip ADDR               The node's InternalIP (default: the first non-loopback IPv4)
      --node-label K=V             Node label (repeatable)
      --node-taint K=V:EFFECT      Taint to register with (repeatable)
      --kubelet-port PORT          The kubelet's HTTPS port (default 10250; 0 = random)
      --container-runtime-endpoint SOCKET  Use this CRI socket instead of launching containerd
      --cluster-dns IP             DNS server for pods (default: the 10th address of --service-cidr)
      --cluster-domain DOMAIN      Cluster domain (default cluster.local)
      --resolv-conf FILE           Host resolv.conf for pods (default /etc/resolv.conf)
      --disable-kube-proxy         Do not program Service rules (iptables) on the node

Other:
      --disable NAME               Do not deploy a packaged component (repeatable): local-storage, ingress, coredns, servicelb
      --ingress-http-port PORT     HTTP port of the ingress controller (default 80; 0 = random)
      --ingress-https-port PORT    HTTPS port of the ingress controller (default 443; 0 = random)
      --ingress-proxy KIND         Ingress data plane: auto (nginx when installed), nginx, builtin
      --cluster-dns-port PORT      Port of the cluster DNS server on the advertise address (default 53 when free)
      --log-level LEVEL            debug, info, warn or error (default info)
${SECURITY_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (cmd === '--version' || cmd === 'version' || cmd === '-v') {
    process.stdout.write(`kts version ${KUBE_VERSION}-kts.${KTS_VERSION} (node ${process.version})\n`);
    return 0;
  }
  if (cmd === 'server') return serverCommand(rest);
  // Loaded on demand: a control plane does not load the node's code (gRPC, CRI, CNI) at all.
  if (cmd === 'agent') return (await import('./agent.js')).agentCommand(rest);
  if (cmd === 'token') return (await import('./token.js')).tokenCommand(rest);
  if (cmd === 'image') return (await import('./image.js')).imageCommand(rest);
  if (cmd === 'cleanup') return (await import('./cleanup.js')).cleanupCommand(rest);
  if (cmd === 'secrets-encrypt') return (await import('./secrets-encrypt.js')).secretsEncryptCommand(rest);
  if (cmd === 'certificate') return (await import('./certificate.js')).certificateCommand(rest);
  if (cmd === 'datastore') return (await import('./datastore.js')).datastoreCommand(rest);
  if (cmd === 'etcd-snapshot') return (await import('./etcd-snapshot.js')).etcdSnapshotCommand(rest);
  process.stderr.write(`kts: unknown command "${cmd}"\n\n${HELP}`);
  return 2;
}

async function serverCommand(args: string[]): Promise<number> {
  let flags: RawServerFlags;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string', short: 'd' },
        'https-listen-port': { type: 'string' },
        'bind-address': { type: 'string' },
        'advertise-address': { type: 'string' },
        'write-kubeconfig': { type: 'string', short: 'o' },
        'write-kubeconfig-mode': { type: 'string' },
        'tls-san': { type: 'string', multiple: true },
        'cluster-cidr': { type: 'string' },
        'service-cidr': { type: 'string' },
        'service-node-port-range': { type: 'string' },
        token: { type: 'string', short: 't' },
        'token-auth-file': { type: 'string' },
        'max-requests-inflight': { type: 'string' },
        'disable-agent': { type: 'boolean' },
        'datastore-endpoint': { type: 'string' },
        'datastore-cafile': { type: 'string' },
        'datastore-certfile': { type: 'string' },
        'datastore-keyfile': { type: 'string' },
        'cluster-init': { type: 'boolean' },
        server: { type: 'string', short: 's' },
        'etcd-client-port': { type: 'string' },
        'etcd-peer-port': { type: 'string' },
        'etcd-snapshot-schedule-cron': { type: 'string' },
        'etcd-snapshot-retention': { type: 'string' },
        'etcd-disable-snapshots': { type: 'boolean' },
        'cluster-reset': { type: 'boolean' },
        'cluster-reset-restore-path': { type: 'string' },
        'node-name': { type: 'string' },
        'node-ip': { type: 'string' },
        'node-label': { type: 'string', multiple: true },
        'node-taint': { type: 'string', multiple: true },
        'kubelet-port': { type: 'string' },
        'container-runtime-endpoint': { type: 'string' },
        'cluster-dns': { type: 'string' },
        'cluster-domain': { type: 'string' },
        'resolv-conf': { type: 'string' },
        'disable-kube-proxy': { type: 'boolean' },
        disable: { type: 'string', multiple: true },
        'ingress-http-port': { type: 'string' },
        'ingress-https-port': { type: 'string' },
        'ingress-proxy': { type: 'string' },
        'cluster-dns-port': { type: 'string' },
        'log-level': { type: 'string' },
        ...securityFlagOptions,
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    flags = values as RawServerFlags;
  } catch (e) {
    process.stderr.write(`kts server: ${(e as Error).message}\n`);
    return 2;
  }
  let cfg;
  try {
    cfg = buildServerConfig(flags);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`kts server: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const log = createLogger({ level: cfg.logLevel, component: 'server' });
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  const stop = (sig: string) => {
    if (ac.signal.aborted) return;
    log.info(`received ${sig}, shutting down`);
    ac.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    const running = await runServer(cfg, log, ac.signal);
    await running.done;
    return 0;
  } catch (e) {
    log.error(`start-up failed: ${(e as Error).message}`);
    ac.abort();
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`kts: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
