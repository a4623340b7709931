// Removes what the node's CNI network left on the host: iptables rules carrying the network's
// name (the bridge plugin's masquerade chains, portmap's DNAT/SNAT chains), kts's own KTS-*
// chains, veths on the bridge and the bridge, host-local's IP records and libcni's result cache.
import { iptablesSave as save, iptablesRestore } from '../../util/iptables.js';
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface IptablesPlan {
  /** iptables-restore --noflush input, per table. */
  scripts: Map<string, string>;
  rules: number;
  chains: number;
}

/** Chains every network shares (portmap's entry points): never deleted, only our rules in them. */
const SHARED = /^CNI-HOSTPORT-/;

/**
 * From `iptables-save -t <table>` output, the commands that delete the rules whose comment names
 * `network`, the CNI-* chains only those rules jump to, and every chain starting with one of
 * `prefixes` (with the rules jumping to it).
 */
export function planIptablesCleanup(saved: Map<string, string>, network: string, prefixes: string[]): IptablesPlan {
  const marker = `name: \\"${network}\\"`;
  const scripts = new Map<string, string>();
  let rules = 0;
  let chains = 0;
  for (const [table, text] of saved) {
    const lines = text.split('\n');
    const existing = new Set(lines.filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]));
    const ours = new Set([...existing].filter((c) => prefixes.some((p) => c.startsWith(p))));
    // Chains reached from rules of our network.
    for (const l of lines) {
      if (!l.startsWith('-A ') || !l.includes(marker)) continue;
      const target = /(?:^| )-j (\S+)/.exec(l)?.[1];
      if (target && target.startsWith('CNI-') && !SHARED.test(target) && existing.has(target)) ours.add(target);
    }
    const deletes: string[] = [];
    for (const l of lines) {
      if (!l.startsWith('-A ')) continue;
      const chain = l.split(' ')[1];
      if (ours.has(chain)) continue; // goes with the chain's flush
      const target = /(?:^| )-[jg] (\S+)/.exec(l)?.[1];
      if (l.includes(marker) || (target && ours.has(target))) deletes.push('-D ' + l.slice(3));
    }
    if (!deletes.length && !ours.size) continue;
    rules += deletes.length;
    for (const l of lines) if (l.startsWith('-A ') && ours.has(l.split(' ')[1])) rules++;
    chains += ours.size;
    const sorted = [...ours].sort();
    scripts.set(table, [`*${table}`, ...deletes, ...sorted.map((c) => `-F ${c}`), ...sorted.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n'));
  }
  return { scripts, rules, chains };
}

export async function cleanupIptables(network: string, prefixes = ['KTS-']): Promise<{ rules: number; chains: number }> {
  const saved = new Map<string, string>();
  for (const t of ['nat', 'filter', 'mangle']) saved.set(t, await save(t).catch(() => ''));
  const plan = planIptablesCleanup(saved, network, prefixes);
  for (const script of plan.scripts.values()) await iptablesRestore(script);
  return { rules: plan.rules, chains: plan.chains };
}

async function linkExists(name: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}

/** Deletes the veths enslaved to `bridge`, then the bridge. Returns the names removed. */
export async function cleanupInterfaces(bridge: string): Promise<string[]> {
  if (!(await linkExists(bridge))) return [];
  const removed: string[] = [];
  const { stdout } = await run('ip', ['-o', 'link', 'show', 'master', bridge]);
  for (const m of stdout.matchAll(/^\d+: ([^:@\s]+)/gm)) {
    try {
      await run('ip', ['link', 'delete', m[1]]);
      removed.push(m[1]);
    } catch {
      // gone with its namespace meanwhile
    }
  }
  await run('ip', ['link', 'delete', bridge]);
  removed.push(bridge);
  return removed;
}

/** Removes host-local's records for the network and libcni's cached results. Returns the IPs released. */
export async function cleanupCniState(ipamDir: string, network: string, cacheDir = '/var/lib/cni'): Promise<string[]> {
  let ips: string[] = [];
  try {
    ips = (await readdir(join(ipamDir, network))).filter((n) => /^[0-9a-f.:]+$/i.test(n) && n.includes('.'));
  } catch {
    // nothing allocated
  }
  await rm(ipamDir, { recursive: true, force: true });
  try {
    for (const n of await readdir(join(cacheDir, 'results'))) if (n.startsWith(`${network}-`)) await rm(join(cacheDir, 'results', n), { force: true });
  } catch {
    // no cache
  }
  return ips;
}
