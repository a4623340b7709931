// `kts agent`: runs a node agent (node-agent-command.ts), or simulated nodes (--simulated): flags → a
// validated SimulatedAgentConfig → trust in the server's CA (--ca-cert, --ca-cert-hash, or pinned by
// a K10 token) → with --data-dir and one node, the node's own client certificate through a CSR
// (as a real agent) → runSimulatedAgent until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { createLogger } from '../util/log.js';
import { RestClient } from '../client/rest-client.js';
import { AgentConfigError, buildAgentConfig } from '../agent/config.js';
import type { RawAgentFlags } from '../agent/config.js';
import { join } from 'node:path';
import { parseToken, resolveServerCa } from '../agent/join.js';
import { obtainNodeClient, rotateNodeClient } from '../agent/tls-bootstrap.js';
import { loadNodeCredentials } from '../agent/node-credentials.js';
import { runSimulatedAgent } from '../agent/simulated-agent.js';
import { followApiServers } from '../agent/api-servers.js';
import { runRealAgent } from './node-agent-command.js';
import type { RealAgentFlags } from './node-agent-command.js';

const HELP = `Usage: kts agent --server URL --token TOKEN [flags]

Runs a node: containerd, the kubelet and the pod network, joined to a kts server (run as root).
With --simulated, runs simulated nodes instead (as kwok does): they register, heartbeat and run
pods bound to them without containers. See docs/simulated-nodes.md.

Flags:
  -d, --data-dir DIR           Data directory (default /var/lib/kts as root); simulated: where one node (--nodes 1)
                               keeps its own certificate (otherwise simulated nodes use the token throughout)
      --node-ip ADDR           The node's InternalIP (default: the first non-loopback IPv4)
      --kubelet-port PORT      The kubelet's HTTPS port (default 10250)
      --container-runtime-endpoint SOCKET  Use this CRI socket instead of launching containerd
      --cluster-dns IP         DNS server for pods (default: the server's kube-dns Service address)
      --cluster-domain DOMAIN  Cluster domain (default cluster.local)
      --resolv-conf FILE       Host resolv.conf for pods
      --simulated              Run simulated nodes instead
  -s, --server URL             The kts server, e.g. https://127.0.0.1:6443
  -t, --token TOKEN            Join token: a bootstrap token (kts token create) or <server data-dir>/server/node-token
      --token-file FILE        Read the token from FILE
      --ca-cert-hash sha256:H  Trust the server's CA only if its public key has this hash (kts token create --print-join-command)
      --ca-cert FILE           Trust this CA for the server (default: fetch it, pinned by --ca-cert-hash or a K10 token)
      --node-name NAME         Node name (default: the hostname; simulated: the prefix of PREFIX-0 …, default kts-sim)
      --nodes N                How many simulated nodes to run (default 1)
      --node-cpu Q             CPU capacity of each node (default 32)
      --node-memory Q          Memory capacity of each node (default 256Gi)
      --node-pods N            Pod capacity of each node (default 110)
      --node-label K=V         Extra node label (repeatable)
      --node-taint K=V:EFFECT  Taint to register with (repeatable)
      --disable-kube-proxy     Do not program Service rules (iptables) on the node
      --log-level LEVEL        debug, info, warn or error (default info)
`;

export async function agentCommand(args: string[]): Promise<number> {
  let flags: RawAgentFlags;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        simulated: { type: 'boolean' },
        nodes: { type: 'string' },
        'node-name': { type: 'string' },
        server: { type: 'string', short: 's' },
        token: { type: 'string', short: 't' },
        'token-file': { type: 'string' },
        'ca-cert': { type: 'string' },
        'ca-cert-hash': { type: 'string' },
        'node-cpu': { type: 'string' },
        'node-memory': { type: 'string' },
        'node-pods': { type: 'string' },
        'node-label': { type: 'string', multiple: true },
        'node-taint': { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        'data-dir': { type: 'string', short: 'd' },
        'node-ip': { type: 'string' },
        'kubelet-port': { type: 'string' },
        'container-runtime-endpoint': { type: 'string' },
        'cluster-dns': { type: 'string' },
        'cluster-domain': { type: 'string' },
        'resolv-conf': { type: 'string' },
        'disable-kube-proxy': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (!values.help && !values.simulated) {
      const simOnly = (['nodes', 'node-cpu', 'node-memory', 'node-pods'] as const).filter((f) => values[f] !== undefined);
      if (simOnly.length) throw new Error(`--${simOnly[0]} is only for simulated nodes (--simulated)`);
      return runRealAgent(values as RealAgentFlags);
    }
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    flags = values as RawAgentFlags;
  } catch (e) {
    process.stderr.write(`kts agent: ${(e as Error).message}\n`);
    return 2;
  }
  let cfg;
  let caPem: string | undefined;
  try {
    const tokenFromFile = flags['token-file'] ? readFileSync(flags['token-file'], 'utf8') : undefined;
    cfg = buildAgentConfig(flags, tokenFromFile);
    if (cfg.caCertFile) caPem = readFileSync(cfg.caCertFile, 'utf8');
  } catch (e) {
    process.stderr.write(`kts agent: ${(e as Error).message}\n`);
    return e instanceof AgentConfigError ? 2 : 1;
  }
  const log = createLogger({ level: cfg.logLevel, component: 'agent' });
  const token = parseToken(cfg.token);
  const agentDir = flags['data-dir'] && cfg.nodes === 1 ? join(flags['data-dir'], 'agent') : undefined;
  const stored = agentDir ? loadNodeCredentials(agentDir, `${cfg.namePrefix}-0`, cfg.server) : undefined;
  if (stored?.creds) caPem = stored.creds.caPem;
  else {
    if (!cfg.token) {
      process.stderr.write(`kts agent: --token (or --token-file) is required to join${stored ? `: ${stored.why}` : ''}\n`);
      return 2;
    }
    try {
      caPem = await resolveServerCa({ server: cfg.server, caCertPem: caPem, caCertHash: flags['ca-cert-hash'], token: cfg.token });
    } catch (e) {
      process.stderr.write(`kts agent: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const ac = new AbortController();
  // Every component (informers, rotation, sleeps) listens on it; many listeners are normal.
  setMaxListeners(0, ac.signal);
  const stop = (sig: string) => {
    if (ac.signal.aborted) return;
    log.info(`received ${sig}, stopping (nodes are left as they are)`);
    ac.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const userAgent = `kts-agent/${cfg.namePrefix}`;
  let client: RestClient;
  const background: Promise<void>[] = [];
  if (agentDir) {
    // One simulated node with a data dir joins as a real one: its own certificate, kept and renewed.
    const opts = { server: cfg.server, caPem, nodeName: `${cfg.namePrefix}-0`, agentDir, bootstrapToken: token.bearer || undefined, userAgent, log: log.child('certificates') };
    try {
      const nc = await obtainNodeClient(opts, ac.signal);
      client = nc.client;
      background.push(rotateNodeClient(nc, opts, ac.signal));
    } catch (e) {
      process.stderr.write(`kts agent: cannot join ${cfg.server}: ${(e as Error).message}\n`);
      return 1;
    }
  } else {
    client = new RestClient({ server: cfg.server, caPem, token: token.bearer, userAgent });
  }
  log.info(`starting ${cfg.nodes} simulated node(s) named ${cfg.namePrefix}-N against ${cfg.server}`);
  try {
    // Fail fast on a wrong token or unreachable server rather than retrying forever.
    // Something a node's identity may read (system:node's rules do not include namespaces).
    await client.get('/api/v1/nodes?limit=1');
  } catch (e) {
    process.stderr.write(`kts agent: cannot use the server at ${cfg.server}: ${(e as Error).message}\n`);
    ac.abort();
    client.close();
    return 1;
  }
  background.push(followApiServers(client, cfg.server, log.child('servers'), ac.signal));
  const agent = runSimulatedAgent(cfg, client, log, ac.signal);
  await agent.done;
  await Promise.allSettled(background);
  client.close();
  log.info('kts agent stopped');
  return 0;
}
