// Applying the desired rules: one `iptables-restore --noflush` transaction for both tables that
// redeclares (so flushes) and refills every chain of ours, deletes our chains no longer wanted,
// and inserts the jumps from the built-in chains that are missing. Rules of others are never
// touched. The script is computed purely from `iptables-save` output (tested alone); partial
// syncs compute it from what the last write left instead of reading the tables back.
import { iptablesSave, iptablesRestore } from '../util/iptables.js';
export { iptablesSave, iptablesRestore };
import type { DesiredRules } from './rules.js';

/** Chain names declared in `iptables-save -t <table>` output. */
export function savedChains(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(':'))
    .map((l) => l.slice(1).split(' ')[0]!);
}

/** Whether `saved` has a rule in `chain` jumping to `target`. */
function hasJump(saved: string, chain: string, target: string): boolean {
  const head = `-A ${chain} `;
  return saved.split('\n').some((l) => l.startsWith(head) && l.endsWith(` -j ${target}`));
}

/**
 * The iptables-restore input turning the state in `saved` (table → iptables-save text) into
 * `desired`. Our chains are those starting with `${prefix}-`.
 */
export function restoreScript(desired: DesiredRules, saved: Map<string, string>, prefix: string, previous?: Map<string, string>): string {
  const out: string[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const chains = desired.tables[table];
    const text = saved.get(table) ?? '';
    const existing = new Set(savedChains(text));
    const stale = [...existing].filter((ch) => ch.startsWith(`${prefix}-`) && !chains.has(ch));
    // A chain we wrote last time with the same rules, and that is still there, is left alone
    // (a partial sync, as upstream's): one changed Service rewrites only its own chains.
    const changed = [...chains].filter(([ch, rules]) => !existing.has(ch) || previous?.get(`${table}/${ch}`) !== rules.join('\n'));
    out.push(`*${table}`);
    for (const ch of [...changed.map(([c]) => c), ...stale]) out.push(`:${ch} - [0:0]`);
    for (const [, rules] of changed) out.push(...rules);
    // Jumps go first in their chain (before the CNI plugins' rules, whose ACCEPT in nat
    // POSTROUTING would otherwise skip our masquerade of hairpin traffic).
    for (const j of desired.jumps) if (j.table === table && !hasJump(text, j.chain, j.target)) out.push(`-I ${j.chain} 1 ${j.match} -j ${j.target}`);
    // Rules of others' chains jumping to a stale chain of ours (left by an older kts) go first.
    const staleSet = new Set(stale);
    for (const l of text.split('\n')) {
      const chain = l.startsWith('-A ') ? l.split(' ')[1]! : '';
      if (chain && !chain.startsWith(`${prefix}-`) && staleSet.has(/ -[jg] (\S+)/.exec(l)?.[1] ?? '')) out.push(`-D ${l.slice(3)}`);
    }
    for (const ch of stale) out.push(`-X ${ch}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/** Reads the current state and applies `desired`. Returns the number of rule lines written. */
const FULL_SYNC_MS = 60_000;
/** Per prefix: what each of our chains held after the last successful write, and when all were last rewritten. */
const applied = new Map<string, { chains: Map<string, string>; fullAt: number }>();

export async function applyRules(desired: DesiredRules, prefix: string, opts: { full?: boolean } = {}): Promise<number> {
  const last = applied.get(prefix);
  // Every minute (and at start) everything is rewritten, repairing anything changed behind our
  // back, stale chains of an older kts included.
  const full = opts.full || !last || Date.now() - last.fullAt > FULL_SYNC_MS;
  // A partial sync trusts what it wrote last (reading the kernel's tables back with iptables-save
  // is most of a sync's time with thousands of rules); a write that fails because something
  // changed behind our back makes the next sync a full one.
  const saved = full ? new Map<string, string>() : assumedState(last.chains, desired);
  if (full) for (const t of ['nat', 'filter']) saved.set(t, await iptablesSave(t));
  const script = restoreScript(desired, saved, prefix, full ? undefined : last.chains);
  try {
    await iptablesRestore(script);
  } catch (e) {
    applied.delete(prefix);
    throw e;
  }
  const chains = new Map<string, string>();
  for (const table of ['nat', 'filter'] as const) for (const [ch, rules] of desired.tables[table]) chains.set(`${table}/${ch}`, rules.join('\n'));
  applied.set(prefix, { chains, fullAt: full ? Date.now() : last!.fullAt });
  return script.split('\n').filter((l) => l.startsWith('-A ')).length;
}

/** The tables as our last successful write left them: our chains, and the jumps into them. */
export function assumedState(chains: Map<string, string>, desired: DesiredRules): Map<string, string> {
  const out = new Map<string, string>();
  for (const table of ['nat', 'filter'] as const) {
    const lines: string[] = [];
    for (const key of chains.keys()) if (key.startsWith(`${table}/`)) lines.push(`:${key.slice(table.length + 1)} - [0:0]`);
    for (const j of desired.jumps) if (j.table === table) lines.push(`-A ${j.chain} ${j.match} -j ${j.target}`);
    out.set(table, lines.join('\n'));
  }
  return out;
}
