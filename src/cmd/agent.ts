// `kts agent`: runs a node agent. Only simulated nodes exist so far (--simulated): flags → a
// validated SimulatedAgentConfig → trust in the server's CA (--ca-cert, or pinned by the token)
// → runSimulatedAgent until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { createLogger } from '../util/log.js';
import { RestClient } from '../client/rest-client.js';
import { AgentConfigError, buildAgentConfig } from '../agent/config.js';
import type { RawAgentFlags } from '../agent/config.js';
import { discoverCa, parseToken } from '../agent/join.js';
import { runSimulatedAgent } from '../agent/simulated-agent.js';
import { runRealAgent } from './node-agent-command.js';
import type { RealAgentFlags } from './node-agent-command.js';

const HELP = `Usage: kts agent --server URL --token TOKEN [flags]

Runs a node: containerd, the kubelet and the pod network, joined to a kts server (run as root).
With --simulated, runs simulated nodes instead (as kwok does): they register, heartbeat and run
pods bound to them without containers. See docs/simulated-nodes.md.

Flags:
  -d, --data-dir DIR           Data directory (default /var/lib/kts as root)
      --node-ip ADDR           The node's InternalIP (default: the first non-loopback IPv4)
      --kubelet-port PORT      The kubelet's HTTPS port (default 10250)
      --container-runtime-endpoint SOCKET  Use this CRI socket instead of launching containerd
      --cluster-dns IP         DNS server for pods (default 10.43.0.10)
      --cluster-domain DOMAIN  Cluster domain (default cluster.local)
      --resolv-conf FILE       Host resolv.conf for pods
      --simulated              Run simulated nodes instead
  -s, --server URL             The kts server, e.g. https://127.0.0.1:6443
  -t, --token TOKEN            Join token: <server data-dir>/server/node-token (or its secret)
      --token-file FILE        Read the token from FILE
      --ca-cert FILE           Trust this CA for the server (default: fetch it, pinned by the token)
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
  if (!caPem) {
    if (!token.caHash) {
      process.stderr.write('kts agent: the token carries no CA hash (it is not a K10… token), so --ca-cert is required to trust the server\n');
      return 2;
    }
    try {
      caPem = await discoverCa(cfg.server, token.caHash);
      log.info(`server CA verified against the token (sha256:${token.caHash.slice(0, 16)}…)`);
    } catch (e) {
      process.stderr.write(`kts agent: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const client = new RestClient({ server: cfg.server, caPem, token: token.bearer, userAgent: `kts-agent/${cfg.namePrefix}` });
  const ac = new AbortController();
  const stop = (sig: string) => {
    if (ac.signal.aborted) return;
    log.info(`received ${sig}, stopping (nodes are left as they are)`);
    ac.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  log.info(`starting ${cfg.nodes} simulated node(s) named ${cfg.namePrefix}-N against ${cfg.server}`);
  try {
    // Fail fast on a wrong token or unreachable server rather than retrying forever.
    await client.get('/api/v1/namespaces/kube-node-lease');
  } catch (e) {
    process.stderr.write(`kts agent: cannot use the server at ${cfg.server}: ${(e as Error).message}\n`);
    client.close();
    return 1;
  }
  const agent = runSimulatedAgent(cfg, client, log, ac.signal);
  await agent.done;
  client.close();
  log.info('kts agent stopped');
  return 0;
}
