// Stale UDP flows, as upstream kube-proxy clears them: UDP has no connection to end, so a flow's
// conntrack entry keeps sending a client's packets to the endpoint chosen for its first packet —
// one that may be gone — or, for a Service that had no endpoints, keeps them un-NATed (rejected)
// after endpoints appear, until the entry idles out. After each applied sync, the flows of
// removed UDP endpoints and of UDP Services that just got their first endpoint are deleted with
// `conntrack -D` (Debian's conntrack package).
import { execFile } from 'node:child_process';
import type { ServicePort } from './model.js';

export interface ConntrackFilter {
  /** Arguments after `conntrack -D -p udp`. */
  args: string[];
  why: string;
}

/** The deletions that the change from `prev` to `next` calls for (UDP only). */
export function staleUdpFilters(prev: readonly ServicePort[], next: readonly ServicePort[]): ConntrackFilter[] {
  const out: ConntrackFilter[] = [];
  const nextById = new Map(next.filter((p) => p.protocol === 'UDP').map((p) => [p.id, p]));
  const prevById = new Map(prev.filter((p) => p.protocol === 'UDP').map((p) => [p.id, p]));
  // Where clients send: the cluster IP and external/LB IPs on the service port, the node port.
  const dests = (p: ServicePort): string[][] => [
    ...(p.clusterIp && p.clusterIp !== 'None' ? [['--orig-dst', p.clusterIp, '--orig-port-dst', String(p.port)]] : []),
    ...p.externalIps.map((ip) => ['--orig-dst', ip, '--orig-port-dst', String(p.port)]),
    ...(p.nodePort !== undefined ? [['--orig-port-dst', String(p.nodePort)]] : []),
  ];
  for (const [id, p] of prevById) {
    const still = new Set((nextById.get(id)?.endpoints ?? []).map((e) => e.ip));
    for (const ep of new Set(p.endpoints.map((e) => e.ip))) {
      if (still.has(ep)) continue;
      for (const d of dests(p)) out.push({ args: [...d, '--dst-nat', ep], why: `${id}: endpoint ${ep} removed` });
    }
  }
  for (const [id, n] of nextById) {
    if (!n.endpoints.length || (prevById.get(id)?.endpoints.length ?? 0) > 0) continue;
    for (const d of dests(n)) out.push({ args: d, why: `${id}: first endpoint` });
  }
  return out;
}

export type ConntrackRunner = (args: string[]) => Promise<void>;

/** Runs `conntrack -D -p udp ARGS`; "no such flow" is success. Rejects with code ENOENT when the tool is missing. */
export const runConntrack: ConntrackRunner = (args) =>
  new Promise((resolve, reject) => {
    execFile('conntrack', ['-D', '-p', 'udp', ...args], { timeout: 10_000 }, (err, _stdout, stderr) => {
      if (!err || /flow entries have been deleted/.test(stderr)) return resolve();
      reject(Object.assign(new Error(`conntrack ${args.join(' ')}: ${stderr.trim() || err.message}`), { code: (err as NodeJS.ErrnoException).code }));
    });
  });
