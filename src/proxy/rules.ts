// The node's service rules as upstream kube-proxy's iptables mode lays them out, computed from
// the ServicePorts alone (pure). nat: SERVICES (cluster IPs) → SVC (random over endpoints,
// ClientIP affinity with `-m recent`) → SEP (DNAT, hairpin masquerade); EXTERNAL (external and
// load-balancer IPs, then node ports on local addresses) → EXT (masquerade or Local policy) →
// SVC / SVL (local endpoints). filter: REJECT for ports without endpoints, DROP for Local
// policies without local endpoints. See docs/kube-proxy.md.
import type { ChainNames } from './names.js';
import { chainNames } from './names.js';
import type { ProxyEndpoint, ServicePort } from './model.js';

export const MASQ_MARK = '0x4000';

export interface ProxyRulesInput {
  /** Per-node chain prefix (names.ts). */
  prefix: string;
  /** The node's CNI bridge: pods' traffic comes in on it. */
  bridge: string;
  /** The node's pod CIDR; traffic from elsewhere to a cluster IP is masqueraded. */
  podCidr?: string;
  ports: ServicePort[];
}

/** A rule in a built-in chain that sends traffic into ours. */
export interface Jump {
  table: 'nat' | 'filter';
  chain: string;
  /** Match part (without -A/-j). */
  match: string;
  target: string;
}

export interface DesiredRules {
  /** table → chain → rule lines (`-A chain ...`), in order; every chain listed is ours. */
  tables: { nat: Map<string, string[]>; filter: Map<string, string[]> };
  jumps: Jump[];
}

const q = (s: string) => `"${s.replace(/["\\]/g, '')}"`;
const c = (s: string) => `-m comment --comment ${q(s)}`;
const lower = (p: string) => p.toLowerCase();
const portMatch = (proto: string, port: number) => `-p ${lower(proto)} -m ${lower(proto)} --dport ${port}`;
const rejectWith = (proto: string) => (proto === 'TCP' ? 'REJECT --reject-with tcp-reset' : 'REJECT --reject-with icmp-port-unreachable');

export function renderRules(input: ProxyRulesInput): DesiredRules {
  const n = chainNames(input.prefix);
  const nat = new Map<string, string[]>();
  const filter = new Map<string, string[]>();
  const add = (t: Map<string, string[]>, chain: string, rule?: string) => {
    if (!t.has(chain)) t.set(chain, []);
    if (rule !== undefined) t.get(chain)!.push(`-A ${chain} ${rule}`);
  };
  for (const ch of [n.services, n.external, n.nodePorts, n.postrouting, n.markMasq]) add(nat, ch);
  for (const ch of [n.services, n.external, n.forward]) add(filter, ch);

  add(nat, n.markMasq, `-j MARK --or-mark ${MASQ_MARK}`);
  add(nat, n.postrouting, `-m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`);
  add(nat, n.postrouting, `-j MARK --xor-mark ${MASQ_MARK}`);
  add(nat, n.postrouting, `${c('kts service traffic requiring SNAT')} -j MASQUERADE`);
  add(filter, n.forward, `-m mark --mark ${MASQ_MARK}/${MASQ_MARK} ${c('kts forwarding rules')} -j ACCEPT`);
  add(filter, n.forward, `${c('kts forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);

  const externalRules: string[] = [];
  for (const sp of input.ports) servicePortRules(sp, n, input.podCidr, nat, filter, add, externalRules);
  for (const r of externalRules) add(nat, n.external, r);
  add(nat, n.services, `${c('kts service nodeports; NOTE: this must be the last rule in this chain')} -j ${n.external}`);
  add(nat, n.external, `${c('kts service nodeports on local addresses')} -m addrtype --dst-type LOCAL -j ${n.nodePorts}`);

  const portal = c(`kts ${input.prefix} service portals`);
  const jumps: Jump[] = [
    { table: 'nat', chain: 'PREROUTING', match: `-i ${input.bridge} ${portal}`, target: n.services },
    { table: 'nat', chain: 'PREROUTING', match: `! -i ${input.bridge} ${portal}`, target: n.external },
    { table: 'nat', chain: 'OUTPUT', match: portal, target: n.services },
    { table: 'nat', chain: 'POSTROUTING', match: c(`kts ${input.prefix} postrouting rules`), target: n.postrouting },
    { table: 'filter', chain: 'INPUT', match: `-m conntrack --ctstate NEW ${c(`kts ${input.prefix} externally-visible service portals`)}`, target: n.external },
    { table: 'filter', chain: 'FORWARD', match: `-i ${input.bridge} -m conntrack --ctstate NEW ${portal}`, target: n.services },
    { table: 'filter', chain: 'FORWARD', match: `-m conntrack --ctstate NEW ${c(`kts ${input.prefix} externally-visible service portals`)}`, target: n.external },
    { table: 'filter', chain: 'FORWARD', match: c(`kts ${input.prefix} forwarding rules`), target: n.forward },
    { table: 'filter', chain: 'OUTPUT', match: `-m conntrack --ctstate NEW ${portal}`, target: n.services },
    { table: 'filter', chain: 'OUTPUT', match: `-m conntrack --ctstate NEW ${c(`kts ${input.prefix} externally-visible service portals`)}`, target: n.external },
  ];
  return { tables: { nat, filter }, jumps };
}

type Add = (t: Map<string, string[]>, chain: string, rule?: string) => void;

function servicePortRules(sp: ServicePort, n: ChainNames, podCidr: string | undefined, nat: Map<string, string[]>, filter: Map<string, string[]>, add: Add, externalRules: string[]): void {
  const proto = sp.protocol;
  const all = sp.endpoints;
  const local = all.filter((e) => e.local);
  const svc = n.svc(sp.id, proto);
  const svl = n.svl(sp.id, proto);
  const ext = n.ext(sp.id, proto);
  const cipMatch = `-d ${sp.clusterIp}/32 ${portMatch(proto, sp.port)}`;
  const external = sp.nodePort !== undefined || sp.externalIps.length > 0;

  // Endpoint chains, shared by SVC and SVL.
  for (const ep of all) sepRules(sp, ep, n, nat, add);
  const balance = (chain: string, eps: ProxyEndpoint[]) => {
    add(nat, chain);
    if (podCidr) add(nat, chain, `! -s ${podCidr} ${cipMatch} ${c(`${sp.id} cluster IP`)} -j ${n.markMasq}`);
    if (sp.affinitySeconds > 0) {
      for (const ep of eps) {
        const sep = n.sep(sp.id, proto, `${ep.ip}:${ep.port}`);
        add(nat, chain, `${c(`${sp.id} -> ${ep.ip}:${ep.port}`)} -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sep}`);
      }
    }
    eps.forEach((ep, i) => {
      const sep = n.sep(sp.id, proto, `${ep.ip}:${ep.port}`);
      const left = eps.length - i;
      const stat = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(11)}` : '';
      add(nat, chain, `${c(`${sp.id} -> ${ep.ip}:${ep.port}`)}${stat} -j ${sep}`);
    });
  };
  if (all.length) balance(svc, all);
  if ((sp.internalLocal || sp.externalLocal) && local.length) balance(svl, local);

  // Cluster IP.
  const internalEps = sp.internalLocal ? local : all;
  if (internalEps.length) add(nat, n.services, `${cipMatch} ${c(`${sp.id} cluster IP`)} -j ${sp.internalLocal ? svl : svc}`);
  else if (!all.length) add(filter, n.services, `${cipMatch} ${c(`${sp.id} has no endpoints`)} -j ${rejectWith(proto)}`);
  else add(filter, n.services, `${cipMatch} ${c(`${sp.id} has no local endpoints`)} -j DROP`);

  if (!external) return;
  const extTargets = [
    ...sp.externalIps.map((ip) => ({ ip, nat: `-d ${ip}/32 ${portMatch(proto, sp.port)} ${c(`${sp.id} external IP`)}`, filter: `-d ${ip}/32 ${portMatch(proto, sp.port)}` })),
    ...(sp.nodePort !== undefined ? [{ nat: `${portMatch(proto, sp.nodePort)} ${c(`${sp.id} node port`)}`, filter: `-m addrtype --dst-type LOCAL ${portMatch(proto, sp.nodePort)}`, nodePort: true }] : []),
  ];
  if (!all.length) {
    for (const t of extTargets) add(filter, n.external, `${t.filter} ${c(`${sp.id} has no endpoints`)} -j ${rejectWith(proto)}`);
    return;
  }
  add(nat, ext);
  if (!sp.externalLocal) {
    add(nat, ext, `${c(`masquerade traffic for ${sp.id} external destinations`)} -j ${n.markMasq}`);
    add(nat, ext, `-j ${svc}`);
  } else {
    // Local: pods and the node itself may use any endpoint; others only local ones (source kept).
    if (podCidr) add(nat, ext, `-s ${podCidr} ${c(`pod traffic for ${sp.id} external destinations`)} -j ${svc}`);
    add(nat, ext, `-m addrtype --src-type LOCAL ${c(`masquerade LOCAL traffic for ${sp.id} external destinations`)} -j ${n.markMasq}`);
    add(nat, ext, `-m addrtype --src-type LOCAL ${c(`route LOCAL traffic for ${sp.id} external destinations`)} -j ${svc}`);
    if (local.length) add(nat, ext, `-j ${svl}`);
    else for (const t of extTargets) add(filter, n.external, `${t.filter} ${c(`${sp.id} has no local endpoints`)} -j DROP`);
  }
  // loadBalancerSourceRanges: LB traffic goes through FW, which lets the ranges (and the node
  // itself, when the LB IP is its own) on to EXT; the rest is not DNATed and filter drops it.
  const fw = n.fw(sp.id, proto);
  if (sp.sourceRanges.length) {
    add(nat, fw);
    for (const r of sp.sourceRanges) add(nat, fw, `-s ${r} ${c(`${sp.id} loadbalancer IP`)} -j ${ext}`);
    for (const ip of sp.lbIps) add(nat, fw, `-s ${ip}/32 ${c(`${sp.id} loadbalancer IP`)} -j ${ext}`);
  }
  for (const t of extTargets) {
    const guarded = 'ip' in t && sp.sourceRanges.length > 0 && sp.lbIps.includes(t.ip);
    if ('nodePort' in t) add(nat, n.nodePorts, `${t.nat} -j ${ext}`);
    else externalRules.push(`${t.nat} -j ${guarded ? fw : ext}`);
    if (guarded) add(filter, n.external, `${t.filter} ${c(`${sp.id} traffic not accepted by loadBalancerSourceRanges`)} -j DROP`);
  }
}

function sepRules(sp: ServicePort, ep: ProxyEndpoint, n: ChainNames, nat: Map<string, string[]>, add: Add): void {
  const sep = n.sep(sp.id, sp.protocol, `${ep.ip}:${ep.port}`);
  if (nat.has(sep)) return;
  add(nat, sep, `-s ${ep.ip}/32 ${c(sp.id)} -j ${n.markMasq}`);
  const recent = sp.affinitySeconds > 0 ? ` -m recent --name ${sep} --mask 255.255.255.255 --rsource --set` : '';
  add(nat, sep, `-p ${lower(sp.protocol)} ${c(sp.id)}${recent} -m ${lower(sp.protocol)} -j DNAT --to-destination ${ep.ip}:${ep.port}`);
}
