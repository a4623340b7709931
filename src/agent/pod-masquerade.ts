// Masquerading of pod traffic that leaves the cluster, and only that: the Kubernetes network model
// says pods reach pods on other nodes without NAT, so the CNI bridge's own `ipMasq` (which
// masquerades everything leaving the node's /24) is off, and this chain masquerades what comes
// from the node's pod CIDR and goes neither to it, nor to another node's pod CIDR, nor to
// multicast — as flannel's masquerade rules do. Written with the host-gw routes from the same
// Node list; one chain per node (`KTSM<6 hex of the data dir>-POSTROUTING`, found again by
// `kts cleanup`), reached from nat POSTROUTING for traffic from the node's pod CIDR.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { iptablesRestore, iptablesSave } from '../util/iptables.js';

/** `KTSM` + 6 hex of sha256(absolute data dir) + `-`: the prefix `kts cleanup` removes. */
export function podMasqPrefix(dataDir: string): string {
  return 'KTSM' + createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 6) + '-';
}

const CIDR = /^\d+\.\d+\.\d+\.\d+\/\d+$/;

/**
 * The iptables-restore input (nat, --noflush) for the chain and its jump, given the current
 * `iptables-save -t nat` text: the chain is rewritten whole; jumps to it from another source CIDR
 * (the node's pod CIDR changed) are deleted; the jump is added when missing.
 */
export function podMasqScript(prefix: string, ownCidr: string, clusterCidrs: readonly string[], savedNat: string): string {
  if (!CIDR.test(ownCidr)) throw new Error(`pod CIDR "${ownCidr}" is not an IPv4 CIDR`);
  const chain = `${prefix}POSTROUTING`;
  const comment = `-m comment --comment "kts ${chain} pod traffic leaving the cluster"`;
  const out = ['*nat', `:${chain} - [0:0]`];
  for (const c of [ownCidr, ...clusterCidrs.filter((x) => CIDR.test(x) && x !== ownCidr)]) out.push(`-A ${chain} -d ${c} -j RETURN`);
  out.push(`-A ${chain} -d 224.0.0.0/4 -j RETURN`, `-A ${chain} ${comment} -j MASQUERADE`);
  const jump = `-A POSTROUTING -s ${ownCidr} ${comment} -j ${chain}`;
  let present = false;
  for (const l of savedNat.split('\n')) {
    if (!l.startsWith('-A POSTROUTING ') || !l.endsWith(` -j ${chain}`)) continue;
    if (l === jump) present = true;
    else out.push(`-D ${l.slice(3)}`);
  }
  if (!present) out.push(jump);
  out.push('COMMIT');
  return out.join('\n') + '\n';
}

/** Writes the chain for the node's pod CIDR and the cluster's other pod CIDRs. */
export async function applyPodMasquerade(dataDir: string, ownCidr: string, clusterCidrs: readonly string[]): Promise<void> {
  await iptablesRestore(podMasqScript(podMasqPrefix(dataDir), ownCidr, clusterCidrs, await iptablesSave('nat')));
}
