// `kts agent --server URL --token TOKEN`: a real node. Trusts the server's CA (--ca-cert, or the
// hash pinned in a K10… token), authenticates with the token, learns the cluster's client CA
// (kube-system/extension-apiserver-authentication) for its own HTTPS endpoint, then runs the
// node agent until SIGINT/SIGTERM. Containers keep running when it stops.
import { readFileSync } from 'node:fs';
import { createLogger } from '../util/log.js';
import type { LogLevel } from '../util/log.js';
import { RestClient, resourcePath } from '../client/rest-client.js';
import { discoverCa, parseToken } from '../agent/join.js';
import { AgentConfigError } from '../agent/config.js';
import { buildNodeAgentConfig } from '../agent/node-config.js';
import type { RawNodeFlags } from '../agent/node-config.js';
import { runNodeAgent } from '../agent/node-agent.js';
import { defaultDataDir } from '../server/config.js';
import { versionInfo } from '../server/version.js';

export interface RealAgentFlags extends RawNodeFlags {
  server?: string;
  token?: string;
  'token-file'?: string;
  'ca-cert'?: string;
  'data-dir'?: string;
  'log-level'?: string;
}

export async function runRealAgent(flags: RealAgentFlags): Promise<number> {
  const fail = (msg: string, code = 2) => {
    process.stderr.write(`kts agent: ${msg}\n`);
    return code;
  };
  const server = flags.server ?? '';
  if (!/^https:\/\/[^/]+/.test(server)) return fail(`--server must be an https:// URL of the kts server (got "${server}")`);
  const tokenText = (flags.token ?? (flags['token-file'] ? readFileSync(flags['token-file'], 'utf8') : '')).trim();
  if (!tokenText) return fail('--token (or --token-file) is required: the content of <data-dir>/server/node-token on the server');
  const level = (flags['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) return fail('--log-level: must be one of debug, info, warn, error');
  let cfg;
  try {
    cfg = buildNodeAgentConfig(flags, { dataDir: flags['data-dir'] ?? defaultDataDir(), clusterDns: '10.43.0.10', logLevel: level });
  } catch (e) {
    if (e instanceof AgentConfigError) return fail(e.message);
    throw e;
  }
  const log = createLogger({ level, component: 'agent' });
  const token = parseToken(tokenText);
  let caPem = flags['ca-cert'] ? readFileSync(flags['ca-cert'], 'utf8') : undefined;
  if (!caPem) {
    if (!token.caHash) return fail('the token carries no CA hash (it is not a K10… token), so --ca-cert is required to trust the server');
    try {
      caPem = await discoverCa(server, token.caHash);
      log.info(`server CA verified against the token (sha256:${token.caHash.slice(0, 16)}…)`);
    } catch (e) {
      return fail((e as Error).message, 1);
    }
  }
  const client = new RestClient({ server, caPem, token: token.bearer, userAgent: `kubelet/${versionInfo().gitVersion}` });
  let clientCaPem: string;
  try {
    const cm = await client.get<{ data?: Record<string, string> }>(resourcePath('', 'v1', 'configmaps', 'kube-system', 'extension-apiserver-authentication'));
    clientCaPem = cm.data?.['client-ca-file'] ?? '';
    if (!clientCaPem) throw new Error('kube-system/extension-apiserver-authentication has no client-ca-file');
  } catch (e) {
    client.close();
    return fail(`cannot use the server at ${server}: ${(e as Error).message}`, 1);
  }
  const ac = new AbortController();
  const stop = (sig: string) => {
    if (ac.signal.aborted) return;
    log.info(`received ${sig}, stopping (containers keep running)`);
    ac.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  log.info(`starting node ${cfg.nodeName} (${cfg.nodeIp}) against ${server}`);
  try {
    const agent = await runNodeAgent(cfg, client, { clientCaPem, version: versionInfo().gitVersion }, log, ac.signal);
    await agent.done;
  } catch (e) {
    client.close();
    return fail(`the node agent failed: ${(e as Error).message}${process.getuid?.() === 0 ? '' : ' (the node agent needs root)'}`, 1);
  }
  client.close();
  log.info('kts agent stopped');
  return 0;
}
