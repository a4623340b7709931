import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/types.js';
import { buildServicePorts } from './model.js';
import { renderRules } from './rules.js';
import { restoreScript } from './iptables.js';
import { chainNames, proxyChainPrefix } from './names.js';

const P = 'KTSabc123';
const n = chainNames(P);

function svc(name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): KObject {
  return { metadata: { namespace: 'default', name }, spec: { type: 'ClusterIP', ...spec }, ...(status ? { status } : {}) };
}
function slice(svcName: string, eps: { ip: string; ready?: boolean; node?: string; serving?: boolean; terminating?: boolean }[], port = 8080, portName = 'http'): KObject {
  return {
    metadata: { namespace: 'default', name: `${svcName}-x`, labels: { 'kubernetes.io/service-name': svcName } },
    addressType: 'IPv4',
    ports: [{ name: portName, port, protocol: 'TCP' }],
    endpoints: eps.map((e) => ({ addresses: [e.ip], nodeName: e.node ?? 'n1', conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false } })),
  };
}
function render(services: KObject[], slices: KObject[], podCidr = '10.42.0.0/24') {
  const ports = buildServicePorts(services, (ns, name) => slices.filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name), 'n1');
  return renderRules({ prefix: P, bridge: 'ktsbr', podCidr, ports });
}
const all = (m: Map<string, string[]>) => [...m.values()].flat();

test('prefix: per data dir, never the shared KTS- prefix, chain names fit iptables (≤ 28)', () => {
  const a = proxyChainPrefix('/tmp/a');
  assert.match(a, /^KTS[0-9a-f]{6}$/);
  assert.notEqual(a, proxyChainPrefix('/tmp/b'));
  assert.equal(a, proxyChainPrefix('/tmp/a/'));
  assert.ok(chainNames(a).sep('default/x:http', 'TCP', '10.0.0.1:80').length <= 28);
});

test('ClusterIP: random balancing over ready endpoints, one SEP per endpoint, comments name the port', () => {
  const r = render([svc('web', { clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] })], [slice('web', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }, { ip: '10.42.0.7' }, { ip: '10.42.0.8', ready: false }])]);
  const svcChain = n.svc('default/web:http', 'TCP');
  assert.deepEqual(r.tables.nat.get(n.services)![0], `-A ${n.services} -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http cluster IP" -j ${svcChain}`);
  const rules = r.tables.nat.get(svcChain)!;
  assert.match(rules[0], /! -s 10\.42\.0\.0\/24 -d 10\.43\.0\.10\/32 .* -j KTSabc123-MARK-MASQ$/);
  assert.match(rules[1], /default\/web:http -> 10\.42\.0\.5:8080" -m statistic --mode random --probability 0\.33333333333 -j KTSabc123-SEP-/);
  assert.match(rules[2], /--probability 0\.50000000000 -j /);
  assert.doesNotMatch(rules[3], /statistic/);
  assert.equal(rules.length, 4, 'the unready endpoint gets nothing');
  const sep = n.sep('default/web:http', 'TCP', '10.42.0.5:8080');
  assert.deepEqual(r.tables.nat.get(sep), [
    `-A ${sep} -s 10.42.0.5/32 -m comment --comment "default/web:http" -j ${n.markMasq}`,
    `-A ${sep} -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.42.0.5:8080`,
  ]);
  assert.equal(all(r.tables.filter).filter((l) => l.includes('REJECT')).length, 0);
});

test('no endpoints: REJECT in filter (tcp-reset, icmp for UDP), no nat chains; headless and ExternalName get nothing', () => {
  const r = render(
    [
      svc('empty', { clusterIP: '10.43.0.11', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
      svc('headless', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }),
      svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
    ],
    [slice('headless', [{ ip: '10.42.0.9' }])],
  );
  const rejects = r.tables.filter.get(n.services)!;
  assert.deepEqual(rejects, [
    `-A ${n.services} -d 10.43.0.11/32 -p udp -m udp --dport 53 -m comment --comment "default/empty:dns has no endpoints" -j REJECT --reject-with icmp-port-unreachable`,
    `-A ${n.services} -d 10.43.0.11/32 -p tcp -m tcp --dport 80 -m comment --comment "default/empty:http has no endpoints" -j REJECT --reject-with tcp-reset`,
  ]);
  assert.ok(![...r.tables.nat.keys()].some((k) => k.includes('-SVC-') || k.includes('-SEP-')));
  assert.ok(!all(r.tables.nat).some((l) => l.includes('headless') || l.includes('ext')));
});

test('NodePort: EXT chain masquerades then balances; without endpoints the node port is rejected', () => {
  const spec = { type: 'NodePort', clusterIP: '10.43.0.12', ports: [{ name: 'http', port: 80, nodePort: 30080 }] };
  const r = render([svc('np', spec)], [slice('np', [{ ip: '10.42.0.5' }])]);
  const ext = n.ext('default/np:http', 'TCP');
  assert.deepEqual(r.tables.nat.get(n.nodePorts), [`-A ${n.nodePorts} -p tcp -m tcp --dport 30080 -m comment --comment "default/np:http node port" -j ${ext}`]);
  assert.deepEqual(r.tables.nat.get(ext)!.map((l) => l.split(' -j ')[1]), [n.markMasq, n.svc('default/np:http', 'TCP')]);
  assert.equal(r.tables.nat.get(n.external)!.at(-1), `-A ${n.external} -m comment --comment "kts service nodeports on local addresses" -m addrtype --dst-type LOCAL -j ${n.nodePorts}`);
  const none = render([svc('np', spec)], []);
  assert.deepEqual(none.tables.filter.get(n.external), [`-A ${n.external} -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -m comment --comment "default/np:http has no endpoints" -j REJECT --reject-with tcp-reset`]);
});

test('externalTrafficPolicy Local: only local endpoints for outside traffic, DROP when none; pods and the node use all', () => {
  const spec = { type: 'NodePort', clusterIP: '10.43.0.13', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30081 }] };
  const r = render([svc('loc', spec)], [slice('loc', [{ ip: '10.42.0.5', node: 'n1' }, { ip: '10.42.1.5', node: 'n2' }])]);
  const ext = r.tables.nat.get(n.ext('default/loc:http', 'TCP'))!;
  assert.match(ext[0], /-s 10\.42\.0\.0\/24 .* -j KTSabc123-SVC-/);
  assert.match(ext.at(-1)!, /-j KTSabc123-SVL-/);
  const svl = r.tables.nat.get(n.svl('default/loc:http', 'TCP'))!;
  assert.ok(svl.some((l) => l.includes('10.42.0.5:8080')) && !svl.some((l) => l.includes('10.42.1.5')));
  const remote = render([svc('loc', spec)], [slice('loc', [{ ip: '10.42.1.5', node: 'n2' }])]);
  assert.match(remote.tables.filter.get(n.external)![0], /--dport 30081 -m comment --comment "default\/loc:http has no local endpoints" -j DROP$/);
});

test('internalTrafficPolicy Local: cluster IP to local endpoints only, DROP when none', () => {
  const spec = { clusterIP: '10.43.0.14', internalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80 }] };
  const r = render([svc('itp', spec)], [slice('itp', [{ ip: '10.42.1.5', node: 'n2' }])]);
  assert.match(r.tables.filter.get(n.services)![0], /-d 10\.43\.0\.14\/32 .*has no local endpoints" -j DROP$/);
  const l = render([svc('itp', spec)], [slice('itp', [{ ip: '10.42.0.5', node: 'n1' }, { ip: '10.42.1.5', node: 'n2' }])]);
  assert.match(l.tables.nat.get(n.services)![0], /-j KTSabc123-SVL-/);
});

test('ClientIP affinity: recent checks before balancing, recent set at DNAT', () => {
  const r = render([svc('aff', { clusterIP: '10.43.0.15', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ name: 'http', port: 80 }] })], [slice('aff', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }])]);
  const chain = r.tables.nat.get(n.svc('default/aff:http', 'TCP'))!;
  const sep = n.sep('default/aff:http', 'TCP', '10.42.0.5:8080');
  assert.ok(chain.includes(`-A ${n.svc('default/aff:http', 'TCP')} -m comment --comment "default/aff:http -> 10.42.0.5:8080" -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds 60 --reap -j ${sep}`));
  assert.match(r.tables.nat.get(sep)![1], /-m recent --name KTSabc123-SEP-\w+ --mask 255\.255\.255\.255 --rsource --set -m tcp -j DNAT/);
});

test('LoadBalancer ingress and external IPs go to the EXT chain on the service port', () => {
  const r = render([svc('lb', { type: 'LoadBalancer', clusterIP: '10.43.0.16', externalIPs: ['192.0.2.50'], ports: [{ name: 'http', port: 8081, nodePort: 30082 }] }, { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } })], [slice('lb', [{ ip: '10.42.0.5' }])]);
  const ext = n.ext('default/lb:http', 'TCP');
  const rules = r.tables.nat.get(n.external)!;
  assert.ok(rules.includes(`-A ${n.external} -d 192.0.2.2/32 -p tcp -m tcp --dport 8081 -m comment --comment "default/lb:http external IP" -j ${ext}`));
  assert.ok(rules.some((l) => l.startsWith(`-A ${n.external} -d 192.0.2.50/32`)));
});

test('terminating serving endpoints are used only when no endpoint is ready', () => {
  const s = svc('t', { clusterIP: '10.43.0.17', ports: [{ name: 'http', port: 80 }] });
  const r = render([s], [slice('t', [{ ip: '10.42.0.5', ready: false, serving: true, terminating: true }])]);
  assert.ok(r.tables.nat.has(n.sep('default/t:http', 'TCP', '10.42.0.5:8080')));
  const both = render([s], [slice('t', [{ ip: '10.42.0.5', ready: false, serving: true, terminating: true }, { ip: '10.42.0.6' }])]);
  assert.ok(!both.tables.nat.has(n.sep('default/t:http', 'TCP', '10.42.0.5:8080')));
});

test('restore script: redeclares our chains, deletes stale ones, adds only missing jumps, never touches others', () => {
  const r = render([svc('web', { clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80 }] })], [slice('web', [{ ip: '10.42.0.5' }])]);
  const saved = new Map([
    ['nat', [':PREROUTING ACCEPT [0:0]', `:${P}-SVC-OLD - [0:0]`, `-A PREROUTING -m comment --comment "old" -j ${P}-SVC-OLD`, ':KTSffffff-SERVICES - [0:0]', ':CNI-x - [0:0]', `-A OUTPUT -m comment --comment "x" -j ${n.services}`, '-A POSTROUTING -j CNI-x'].join('\n')],
    ['filter', ''],
  ]);
  const script = restoreScript(r, saved, P);
  const lines = script.split('\n');
  assert.ok(lines.includes(`:${P}-SVC-OLD - [0:0]`) && lines.includes(`-X ${P}-SVC-OLD`));
  assert.ok(lines.indexOf(`-D PREROUTING -m comment --comment "old" -j ${P}-SVC-OLD`) < lines.indexOf(`-X ${P}-SVC-OLD`) && lines.includes(`-D PREROUTING -m comment --comment "old" -j ${P}-SVC-OLD`));
  assert.ok(!script.includes('KTSffffff') && !script.includes('CNI-x'));
  const natPart = script.slice(0, script.indexOf('COMMIT')).split('\n');
  assert.ok(!natPart.some((l) => l.startsWith('-I OUTPUT') && l.endsWith(`-j ${n.services}`)), 'the nat OUTPUT jump exists already');
  assert.ok(script.slice(script.indexOf('*filter')).includes(`-I OUTPUT 1 -m conntrack --ctstate NEW -m comment --comment "kts ${P} service portals" -j ${n.services}`));
  assert.ok(lines.includes(`-I POSTROUTING 1 -m comment --comment "kts ${P} postrouting rules" -j ${n.postrouting}`));
  assert.ok(lines.includes(`-I PREROUTING 1 -i ktsbr -m comment --comment "kts ${P} service portals" -j ${n.services}`));
  assert.deepEqual(lines.filter((l) => l.startsWith('*') || l === 'COMMIT'), ['*nat', 'COMMIT', '*filter', 'COMMIT']);
});

test('restore script, partial: chains written before with the same rules are left alone, changed ones rewritten', () => {
  const before = render([svc('a', { clusterIP: '10.43.0.21', ports: [{ name: 'http', port: 80 }] }), svc('b', { clusterIP: '10.43.0.22', ports: [{ name: 'http', port: 80 }] })], [slice('a', [{ ip: '10.42.0.5' }]), slice('b', [{ ip: '10.42.0.6' }])]);
  const previous = new Map<string, string>();
  for (const t of ['nat', 'filter'] as const) for (const [ch, rules] of before.tables[t]) previous.set(`${t}/${ch}`, rules.join('\n'));
  const saved = new Map(['nat', 'filter'].map((t) => [t, [...before.tables[t as 'nat' | 'filter'].keys()].map((ch) => `:${ch} - [0:0]`).join('\n')]));
  const after = render([svc('a', { clusterIP: '10.43.0.21', ports: [{ name: 'http', port: 80 }] }), svc('b', { clusterIP: '10.43.0.22', ports: [{ name: 'http', port: 80 }] })], [slice('a', [{ ip: '10.42.0.5' }]), slice('b', [{ ip: '10.42.0.7' }])]);
  const script = restoreScript(after, saved, P, previous);
  assert.ok(!script.includes(n.sep('default/a:http', 'TCP', '10.42.0.5:8080')), 'the unchanged Service is not rewritten');
  assert.ok(script.includes(`:${n.sep('default/b:http', 'TCP', '10.42.0.7:8080')} - [0:0]`), 'the new endpoint chain is written');
  assert.ok(script.includes(`-X ${n.sep('default/b:http', 'TCP', '10.42.0.6:8080')}`), 'the old endpoint chain is removed');
  const full = restoreScript(after, saved, P);
  assert.ok(full.includes(`:${n.sep('default/a:http', 'TCP', '10.42.0.5:8080')} - [0:0]`), 'without a previous state everything is rewritten');
});

test('loadBalancerSourceRanges: LB traffic through a FW chain letting the ranges and the node on; the rest dropped in filter', () => {
  const spec = { type: 'LoadBalancer', clusterIP: '10.43.0.18', loadBalancerSourceRanges: ['198.51.100.0/24'], externalIPs: ['192.0.2.60'], ports: [{ name: 'http', port: 8082, nodePort: 30083 }] };
  const r = render([svc('fw', spec, { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } })], [slice('fw', [{ ip: '10.42.0.5' }])]);
  const fw = n.fw('default/fw:http', 'TCP');
  const ext = n.ext('default/fw:http', 'TCP');
  assert.deepEqual(r.tables.nat.get(fw)!.map((l) => l.replace(/ -m comment --comment "[^"]*"/, '')), [`-A ${fw} -s 198.51.100.0/24 -j ${ext}`, `-A ${fw} -s 192.0.2.2/32 -j ${ext}`]);
  const external = r.tables.nat.get(n.external)!;
  assert.ok(external.some((l) => l.startsWith(`-A ${n.external} -d 192.0.2.2/32`) && l.endsWith(`-j ${fw}`)));
  assert.ok(external.some((l) => l.startsWith(`-A ${n.external} -d 192.0.2.60/32`) && l.endsWith(`-j ${ext}`)), 'external IPs are not guarded');
  assert.deepEqual(r.tables.filter.get(n.external), [`-A ${n.external} -d 192.0.2.2/32 -p tcp -m tcp --dport 8082 -m comment --comment "default/fw:http traffic not accepted by loadBalancerSourceRanges" -j DROP`]);
  assert.ok(!render([svc('fw', { ...spec, loadBalancerSourceRanges: undefined }, { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } })], [slice('fw', [{ ip: '10.42.0.5' }])]).tables.nat.has(fw));
});
