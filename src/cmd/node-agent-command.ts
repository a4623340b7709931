// `kts agent --server URL --token TOKEN [--ca-cert-hash sha256:…]`: a real node. Trusts the
// server's CA (pinned by --ca-cert-hash or a K10… token, or --ca-cert), exchanges the token for
// the node's own client certificate (TLS bootstrap, agent/tls-bootstrap.ts; reused on restart
// without the token), learns the cluster's client CA (kube-system/extension-apiserver-authentication)
// for its own HTTPS endpoint, gets that endpoint a serving certificate through a CSR once the node
// is registered, renews both, and runs the node agent until SIGINT/SIGTERM. Containers keep
// running when it stops.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import { createLogger } from '../util/log.js';
import type { LogLevel } from '../util/log.js';
import { resourcePath } from '../client/rest-client.js';
import { parseToken, resolveServerCa } from '../agent/join.js';
import { AgentConfigError } from '../agent/config.js';
import { buildNodeAgentConfig } from '../agent/node-config.js';
import type { RawNodeFlags } from '../agent/node-config.js';
import { runNodeAgent } from '../agent/node-agent.js';
import { discoverClusterDns, DEFAULT_CLUSTER_DNS } from '../agent/cluster-dns.js';
import { loadNodeCredentials } from '../agent/node-credentials.js';
import { followApiServers } from '../agent/api-servers.js';
import { obtainNodeClient, rotateNodeClient, runServingCertificate, storedServingPair } from '../agent/tls-bootstrap.js';
import type { NodeClient } from '../agent/tls-bootstrap.js';
import { defaultDataDir } from '../server/config.js';
import { versionInfo } from '../server/version.js';

export interface RealAgentFlags extends RawNodeFlags {
  server?: string;
  token?: string;
  'token-file'?: string;
  'ca-cert'?: string;
  'ca-cert-hash'?: string;
  'data-dir'?: string;
  'log-level'?: string;
}

export async function runRealAgent(flags: RealAgentFlags): Promise<number> {
  const fail = (msg: string, code = 2) => {
    process.stderr.write(`kts agent: ${msg}\n`);
    return code;
  };
  const server = (flags.server ?? '').replace(/\/+$/, '');
  if (!/^https:\/\/[^/]+/.test(server)) return fail(`--server must be an https:// URL of the kts server (got "${server}")`);
  const tokenText = (flags.token ?? (flags['token-file'] ? readFileSync(flags['token-file'], 'utf8') : '')).trim();
  const level = (flags['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) return fail('--log-level: must be one of debug, info, warn, error');
  let cfg;
  try {
    cfg = buildNodeAgentConfig(flags, { dataDir: flags['data-dir'] ?? defaultDataDir(), clusterDns: DEFAULT_CLUSTER_DNS, logLevel: level });
  } catch (e) {
    if (e instanceof AgentConfigError) return fail(e.message);
    throw e;
  }
  const agentDir = join(cfg.dataDir, 'agent');
  mkdirSync(agentDir, { recursive: true, mode: 0o700 });
  const log = createLogger({ level, component: 'agent' });
  const stored = loadNodeCredentials(agentDir, cfg.nodeName, server);
  if (!stored.creds && !tokenText) return fail(`--token (or --token-file) is required to join: ${stored.why}`);
  let caPem = stored.creds?.caPem;
  if (!caPem) {
    try {
      caPem = await resolveServerCa({ server, caCertPem: flags['ca-cert'] ? readFileSync(flags['ca-cert'], 'utf8') : undefined, caCertHash: flags['ca-cert-hash'], token: tokenText });
      log.info('server CA verified against the pinned hash');
    } catch (e) {
      return fail((e as Error).message, 1);
    }
  }
  const ac = new AbortController();
  // Every component (informers, rotation, sleeps) listens on it; many listeners are normal.
  setMaxListeners(0, ac.signal);
  const stop = (sig: string) => {
    if (ac.signal.aborted) return;
    log.info(`received ${sig}, stopping (containers keep running)`);
    ac.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const opts = { server, caPem, nodeName: cfg.nodeName, agentDir, bootstrapToken: tokenText ? parseToken(tokenText).bearer : undefined, userAgent: `kubelet/${versionInfo().gitVersion}`, log: log.child('certificates') };
  let nc: NodeClient;
  try {
    nc = await obtainNodeClient(opts, ac.signal);
  } catch (e) {
    return fail(`cannot join ${server}: ${(e as Error).message}`, 1);
  }
  const client = nc.client;
  let clientCaPem: string;
  try {
    const cm = await client.get<{ data?: Record<string, string> }>(resourcePath('', 'v1', 'configmaps', 'kube-system', 'extension-apiserver-authentication'));
    clientCaPem = cm.data?.['client-ca-file'] ?? '';
    if (!clientCaPem) throw new Error('kube-system/extension-apiserver-authentication has no client-ca-file');
  } catch (e) {
    client.close();
    return fail(`cannot use the server at ${server}: ${(e as Error).message}`, 1);
  }
  if (flags['cluster-dns'] === undefined) {
    try {
      const dns = await discoverClusterDns(client);
      cfg = { ...cfg, clusterDns: [dns.ip] };
      log.info(`cluster DNS for pods: ${dns.ip} (from ${dns.from})`);
    } catch (e) {
      log.warn(`cannot read the cluster DNS address from the server (${(e as Error).message}); pods get ${cfg.clusterDns.join(',')} (set --cluster-dns)`);
    }
  }
  const sans = { dns: [...new Set([cfg.nodeName, hostname().toLowerCase()])], ips: [cfg.nodeIp] };
  log.info(`starting node ${cfg.nodeName} (${cfg.nodeIp}) against ${server}`);
  // Other servers' addresses, for failing over to them (HA control planes).
  const background: Promise<void>[] = [rotateNodeClient(nc, opts, ac.signal), followApiServers(client, server, log.child('servers'), ac.signal)];
  try {
    const agent = await runNodeAgent(cfg, client, { clientCaPem, version: versionInfo().gitVersion, serving: storedServingPair(agentDir, cfg.nodeName, sans) }, log, ac.signal);
    // The serving certificate is approved against the registered Node's addresses.
    background.push(agent.registered.then(() => runServingCertificate({ client, nodeName: cfg.nodeName, agentDir, sans, log: log.child('certificates'), install: (p) => agent.setServingCert(p.certPem, p.keyPem) }, ac.signal)));
    await agent.done;
  } catch (e) {
    ac.abort();
    client.close();
    return fail(`the node agent failed: ${(e as Error).message}${process.getuid?.() === 0 ? '' : ' (the node agent needs root)'}`, 1);
  }
  await Promise.allSettled(background);
  client.close();
  log.info('kts agent stopped');
  return 0;
}
