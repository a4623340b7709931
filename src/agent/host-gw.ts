// Pod traffic between nodes, as flannel's host-gw backend carries it: every node routes each other
// node's pod CIDR via that node's InternalIP (`ip route replace <podCIDR> via <nodeIP>`), so pod
// IPs are reachable across nodes with no encapsulation. This needs the nodes on one L2 segment: a
// node whose address is not on a directly connected subnet is skipped, and the log says so.
// Simulated nodes are skipped. The same loop writes the pod masquerade chain (pod-masquerade.ts),
// which needs the same list of pod CIDRs. The routes this agent installed are recorded in
// `<data-dir>/agent/host-gw-routes.json`; they stay when the agent stops (pods keep talking while
// it restarts) and `kts cleanup` removes them.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KObject } from '../api/types.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { Informer } from '../client/informer.js';
import { writeFileAtomic } from '../util/fs.js';
import { applyPodMasquerade } from './pod-masquerade.js';

/** Route protocol number marking kts's routes (`ip route show proto 75`). */
export const ROUTE_PROTO = '75';

export type Run = (args: string[]) => Promise<string>;

const ip: Run = (args) =>
  new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout)));
  });

type NodeLike = KObject & { spec?: { podCIDR?: string }; status?: { addresses?: { type: string; address: string }[] } };

const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** Local IPv4 subnets (`ip -o -4 addr` lines), loopback excluded: [base, prefix length]. */
export function localSubnets(ipAddrOutput: string): [number, number][] {
  const out: [number, number][] = [];
  for (const l of ipAddrOutput.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\/(\d+)/.exec(l);
    if (!m || m[1] === 'lo') continue;
    const bits = Number(m[3]);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    out.push([(toInt(m[2]!) & mask) >>> 0, bits]);
  }
  return out;
}

export function onLink(addr: string, subnets: [number, number][]): boolean {
  const a = toInt(addr);
  return subnets.some(([base, bits]) => bits > 0 && ((a & ((0xffffffff << (32 - bits)) >>> 0)) >>> 0) === base);
}

/** The routes this node wants: other real nodes' pod CIDRs via their on-link InternalIPs. */
export function desiredRoutes(nodes: readonly NodeLike[], self: string, subnets: [number, number][]): { routes: Map<string, { via: string; node: string }>; offLink: string[] } {
  const routes = new Map<string, { via: string; node: string }>();
  const offLink: string[] = [];
  for (const n of nodes) {
    const name = n.metadata.name!;
    if (name === self || n.metadata.annotations?.['kts.io/simulated'] === 'true') continue;
    const cidr = n.spec?.podCIDR;
    const via = n.status?.addresses?.find((a) => a.type === 'InternalIP' && /^\d+\.\d+\.\d+\.\d+$/.test(a.address))?.address;
    if (!cidr || !/^[\d.]+\/\d+$/.test(cidr) || !via) continue;
    if (!onLink(via, subnets)) {
      offLink.push(`${name} (${via})`);
      continue;
    }
    routes.set(cidr, { via, node: name });
  }
  return { routes, offLink };
}

export interface HostGwOptions {
  client: RestClient;
  nodeName: string;
  dataDir: string;
  log: Logger;
  run?: Run;
  resyncMs?: number;
  /** Writes the pod masquerade chain (default: iptables, pod-masquerade.ts). */
  masquerade?: (ownCidr: string, clusterCidrs: string[]) => Promise<void>;
}

const statePath = (dataDir: string) => join(dataDir, 'agent', 'host-gw-routes.json');

async function readState(dataDir: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(statePath(dataDir), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

export async function runHostGw(o: HostGwOptions, signal: AbortSignal): Promise<void> {
  const run = o.run ?? ip;
  const nodes = new Informer<NodeLike>(o.client, { group: '', version: 'v1', resource: 'nodes', onError: (m) => o.log.debug(`nodes informer: ${m}`) });
  let installed = await readState(o.dataDir);
  // What the masquerade chain was last written for; the periodic resync rewrites it anyway.
  let masqKey = '';
  const warned = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  const sync = async () => {
    const { routes, offLink } = desiredRoutes(nodes.list(), o.nodeName, localSubnets(await run(['-o', '-4', 'addr', 'show'])));
    for (const n of offLink) {
      if (!warned.has(n)) o.log.warn(`node ${n} is not on a directly connected network: its pods are not routed from here (host-gw needs the nodes on one L2 segment)`);
      warned.add(n);
    }
    const next: Record<string, string> = {};
    for (const [cidr, r] of routes) {
      try {
        await run(['route', 'replace', cidr, 'via', r.via, 'proto', ROUTE_PROTO]);
        if (installed[cidr] !== r.via) o.log.info(`pods of node ${r.node}: route ${cidr} via ${r.via}`);
        next[cidr] = r.via;
      } catch (e) {
        o.log.warn(`route ${cidr} via ${r.via}: ${(e as Error).message}`);
      }
    }
    for (const [cidr, via] of Object.entries(installed)) {
      if (next[cidr]) continue;
      await run(['route', 'del', cidr, 'via', via, 'proto', ROUTE_PROTO]).catch(() => undefined);
      o.log.info(`route ${cidr} via ${via} removed`);
    }
    // Masquerade only what leaves the cluster: not traffic to this or another node's pods.
    const all = nodes.list().filter((n) => n.metadata.annotations?.['kts.io/simulated'] !== 'true');
    const own = all.find((n) => n.metadata.name === o.nodeName)?.spec?.podCIDR;
    if (own) {
      const cidrs = all.map((n) => n.spec?.podCIDR).filter((c): c is string => !!c);
      const key = `${own}|${[...new Set(cidrs)].sort().join(',')}`;
      if (key !== masqKey) {
        try {
          await (o.masquerade ?? ((a, b) => applyPodMasquerade(o.dataDir, a, b)))(own, cidrs);
          masqKey = key;
        } catch (e) {
          o.log.error(`pod masquerade rules: ${(e as Error).message}`);
        }
      }
    }
    if (JSON.stringify(next) !== JSON.stringify(installed)) await writeFileAtomic(statePath(o.dataDir), JSON.stringify(next, null, 1) + '\n', 0o600);
    installed = next;
  };
  const schedule = () => {
    if (timer || signal.aborted || !nodes.hasSynced) return;
    timer = setTimeout(() => {
      timer = undefined;
      chain = chain.then(sync).catch((e: Error) => o.log.error(`host-gw routes: ${e.message}`));
    }, 200);
  };
  // Heartbeats update Nodes every few seconds: only addresses and pod CIDRs matter.
  const key = (n: NodeLike) => `${n.spec?.podCIDR}|${JSON.stringify(n.status?.addresses ?? [])}`;
  nodes.addHandler({ onAdd: schedule, onUpdate: (a, b) => key(a) !== key(b) && schedule(), onDelete: schedule });
  const running = nodes.run(signal);
  await nodes.waitForSync().catch(() => undefined);
  schedule();
  const periodic = setInterval(() => {
    masqKey = '';
    schedule();
  }, o.resyncMs ?? 60_000);
  signal.addEventListener('abort', () => {
    clearInterval(periodic);
    clearTimeout(timer);
  }, { once: true });
  await running;
  await chain;
}

/** `kts cleanup`: removes the routes the agent of `dataDir` installed; returns what it removed. */
export async function cleanupHostGwRoutes(dataDir: string, run: Run = ip): Promise<string[]> {
  const state = await readState(dataDir);
  const removed: string[] = [];
  for (const [cidr, via] of Object.entries(state)) {
    if (await run(['route', 'del', cidr, 'via', via, 'proto', ROUTE_PROTO]).then(() => true, () => false)) removed.push(`${cidr} via ${via}`);
  }
  await writeFileAtomic(statePath(dataDir), '{}\n', 0o600).catch(() => undefined);
  return removed;
}
