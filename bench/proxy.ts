// kube-proxy sync benchmark (issue 6): 1,000 Services × 10 endpoints programmed into the real
// kernel under a benchmark-only chain prefix, then one Service changed: the time from the change
// to the rules being in place (render + iptables-save + iptables-restore). Root only; everything
// it creates is removed at the end. Run alone: node --import tsx bench/proxy.ts
import { renderRules } from '../src/proxy/rules.js';
import { applyRules } from '../src/proxy/iptables.js';
import type { ServicePort } from '../src/proxy/model.js';
import { cleanupIptables } from '../src/kubelet/cni/network-cleanup.js';

const PREFIX = 'KTSb3nch';

function ports(n: number, perService: number, changed = -1): ServicePort[] {
  const out: ServicePort[] = [];
  for (let i = 0; i < n; i++) {
    const endpoints = Array.from({ length: perService }, (_, j) => ({ ip: `10.250.${Math.floor((i * perService + j) / 250)}.${((i * perService + j) % 250) + 1}`, port: i === changed ? 8081 : 8080, local: true }));
    out.push({
      id: `bench/svc-${i}:http`, namespace: 'bench', name: `svc-${i}`, portName: 'http', protocol: 'TCP',
      clusterIp: `10.251.${Math.floor(i / 250)}.${(i % 250) + 1}`, port: 80, nodePort: 30000 + i,
      externalIps: [], lbIps: [], sourceRanges: [], externalLocal: false, internalLocal: false, affinitySeconds: 0, endpoints,
    });
  }
  return out;
}

export async function proxyBench(): Promise<[string, string, string][]> {
  if (process.getuid?.() !== 0) return [['kube-proxy sync', 'skipped (needs root)', '']];
  try {
    const input = { prefix: PREFIX, bridge: 'ktsbench0', podCidr: '10.250.0.0/16' };
    let t = performance.now();
    const rules = await applyRules(renderRules({ ...input, ports: ports(1000, 10) }), PREFIX);
    const first = performance.now() - t;
    t = performance.now();
    await applyRules(renderRules({ ...input, ports: ports(1000, 10, 500) }), PREFIX);
    const change = performance.now() - t;
    return [
      [`kube-proxy: first sync, 1,000 Services × 10 endpoints (${rules} rules)`, `${first.toFixed(0)} ms`, ''],
      ['kube-proxy: one Service changed among 1,000 × 10, in the rules', `${change.toFixed(0)} ms`, '≤ 1 s'],
    ];
  } finally {
    await cleanupIptables('kts-bench-none', [`${PREFIX}-`]).catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await proxyBench()) console.log(`${r[0].padEnd(64)}  ${r[1].padEnd(10)}  ${r[2]}`);
}
