// Against the real kernel (root only): every kind of rule renderRules makes is accepted by
// iptables-restore, a second sync removes what is no longer wanted, a stale chain with a jump from
// a built-in chain is removed, and the node cleanup leaves nothing of the prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { KObject } from '../api/types.js';
import { buildServicePorts } from './model.js';
import { renderRules } from './rules.js';
import { applyRules, iptablesRestore } from './iptables.js';
import { cleanupIptables } from '../kubelet/cni/network-cleanup.js';

const root = process.getuid?.() === 0;
const save = () => execFileSync('iptables-save', { encoding: 'utf8' });

const services: KObject[] = [
  { metadata: { namespace: 't', name: 'all' }, spec: { type: 'LoadBalancer', clusterIP: '10.254.0.10', externalIPs: ['192.0.2.77'], loadBalancerSourceRanges: ['198.51.100.0/24'], externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, nodePort: 31999, protocol: 'TCP' }, { name: 'dns', port: 53, nodePort: 31998, protocol: 'UDP' }, { name: 'sctp', port: 9, protocol: 'SCTP' }] }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.78' }] } } },
  { metadata: { namespace: 't', name: 'none' }, spec: { type: 'NodePort', clusterIP: '10.254.0.11', ports: [{ name: 'http', port: 80, nodePort: 31997 }, { name: 'u', port: 53, nodePort: 31996, protocol: 'UDP' }] } },
];
const slice = (svc: string, node: string): KObject => ({
  metadata: { namespace: 't', name: `${svc}-1`, labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'sctp', port: 9, protocol: 'SCTP' }],
  endpoints: [{ addresses: ['10.254.100.5'], conditions: { ready: true }, nodeName: node }, { addresses: ['10.254.100.6'], conditions: { ready: true }, nodeName: 'other' }],
});

test('real iptables: every rule kind applies, resyncs prune, cleanup removes all', { skip: !root && 'needs root' }, async () => {
  const prefix = 'KTS' + randomBytes(3).toString('hex');
  const bridge = 'ktsnone' + prefix.slice(3, 7);
  try {
    const desired = (svcs: KObject[], node: string) => renderRules({ prefix, bridge, podCidr: '10.254.100.0/24', ports: buildServicePorts(svcs, (_ns, name) => (name === 'none' ? [] : [slice(name, node)]), 'me') });
    await applyRules(desired(services, 'me'), prefix);
    let text = save();
    for (const want of ['-SVC-', '-SVL-', '-EXT-', '-FW-', '-SEP-', '--reject-with icmp-port-unreachable', '--reject-with tcp-reset', '-m recent', '-m statistic']) assert.ok(text.includes(want), want);
    assert.ok(text.includes(`-A POSTROUTING -m comment --comment "kts ${prefix} postrouting rules" -j ${prefix}-POSTROUTING`));
    // Applying twice adds no second jump.
    await applyRules(desired(services, 'me'), prefix);
    assert.equal(save().split('\n').filter((l) => l.startsWith('-A OUTPUT') && l.endsWith(`-j ${prefix}-SERVICES`)).length, 2, 'one in nat, one in filter');

    // No local endpoints: SVL chains go; then no Services: only the base chains stay.
    await applyRules(desired(services, 'elsewhere'), prefix);
    assert.ok(!save().includes(`${prefix}-SVL-`));
    assert.match(save(), /t\/all:http has no local endpoints" -j DROP/);
    await iptablesRestore(`*nat\n:${prefix}-SVC-STALE - [0:0]\n-A PREROUTING -m comment --comment "stale" -j ${prefix}-SVC-STALE\nCOMMIT\n`);
    // Partial syncs trust their own last write; the full one (every minute, and at start) prunes.
    await applyRules(desired([], 'me'), prefix);
    assert.ok(save().includes(`:${prefix}-SVC-STALE`), 'a partial sync does not read the tables back');
    await applyRules(desired([], 'me'), prefix, { full: true });
    text = save();
    assert.deepEqual(text.split('\n').filter((l) => l.includes(`${prefix}-S`) && /-(SVC|SEP|SVL)-/.test(l)), []);
    assert.ok(text.includes(`:${prefix}-SERVICES`));
  } finally {
    await cleanupIptables('kts-none-network', [`${prefix}-`]);
    assert.ok(!save().includes(prefix), 'nothing of the prefix left');
  }
});
