import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';
import { silentLogger } from '../util/log.js';
import { runProxier } from './proxier.js';
import type { DesiredRules } from './rules.js';

const NS = '/api/v1/namespaces/default';
const rulesText = (d: DesiredRules) => [...d.tables.nat.values(), ...d.tables.filter.values()].flat().join('\n');

test('proxier: syncs once caches are full, coalesces bursts of events, retries a failed write, stops on abort', async () => {
  const c = await startTestCluster();
  const ac = new AbortController();
  try {
    const applied: DesiredRules[] = [];
    let failNext = 1;
    const apply = async (d: DesiredRules) => {
      if (failNext-- > 0) throw new Error('iptables-restore: resource busy');
      applied.push(d);
      return 0;
    };
    const t0 = Date.now();
    const proxier = runProxier({ client: c.client, nodeName: 'n1', prefix: 'KTSabc123', bridge: 'ktsbr', log: silentLogger, apply }, ac.signal);
    await proxier.firstSync;
    assert.ok(Date.now() - t0 >= 200, 'the failed first write was retried after a back-off');
    assert.match(rulesText(applied[0]!), /default\/kubernetes:https has no endpoints" -j REJECT/);

    const before = applied.length;
    await Promise.all(Array.from({ length: 10 }, (_, i) => c.client.create(`${NS}/services`, { metadata: { name: `s${i}` }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } })));
    await c.client.create('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      metadata: { name: 's0-abc', labels: { 'kubernetes.io/service-name': 's0' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.42.0.9'], conditions: { ready: true }, nodeName: 'n1' }],
    });
    const last = await until(() => {
      const d = applied.at(-1)!;
      const text = rulesText(d);
      return Array.from({ length: 10 }, (_, i) => `default/s${i}:http`).every((id) => text.includes(id)) && text.includes('DNAT --to-destination 10.42.0.9:8080') ? d : undefined;
    }, 10_000, 'all services in the rules');
    assert.ok(applied.length - before <= 5, `11 changes written in ${applied.length - before} syncs`);
    assert.ok(last?.tables.nat.has('KTSabc123-NODEPORTS'));
    ac.abort();
    await proxier.done;
  } finally {
    ac.abort();
    await c.stop();
  }
});
