import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staleUdpFilters } from './conntrack.js';
import type { ServicePort } from './model.js';

const sp = (id: string, eps: string[], over: Partial<ServicePort> = {}): ServicePort => ({
  id,
  namespace: 'default',
  name: id,
  portName: '',
  protocol: 'UDP',
  clusterIp: '10.43.0.20',
  port: 53,
  externalIps: [],
  lbIps: [],
  sourceRanges: [],
  externalLocal: false,
  internalLocal: false,
  affinitySeconds: 0,
  endpoints: eps.map((ip) => ({ ip, port: 5353, local: true })),
  ...over,
});

test('removed UDP endpoints: their flows to the cluster IP, external IPs and node port are deleted', () => {
  const f = staleUdpFilters([sp('default/dns:53', ['10.42.0.5', '10.42.0.6'], { nodePort: 30053, externalIps: ['192.0.2.9'] })], [sp('default/dns:53', ['10.42.0.6'], { nodePort: 30053, externalIps: ['192.0.2.9'] })]);
  assert.deepEqual(f.map((x) => x.args.join(' ')), [
    '--orig-dst 10.43.0.20 --orig-port-dst 53 --dst-nat 10.42.0.5',
    '--orig-dst 192.0.2.9 --orig-port-dst 53 --dst-nat 10.42.0.5',
    '--orig-port-dst 30053 --dst-nat 10.42.0.5',
  ]);
});

test('a deleted UDP Service clears its endpoints; a first endpoint clears un-NATed flows; TCP and unchanged ports need nothing', () => {
  assert.equal(staleUdpFilters([sp('a:1', ['10.42.0.5'])], []).length, 1);
  assert.deepEqual(staleUdpFilters([sp('a:1', [])], [sp('a:1', ['10.42.0.5'])]).map((x) => x.args.join(' ')), ['--orig-dst 10.43.0.20 --orig-port-dst 53']);
  assert.equal(staleUdpFilters([], [sp('a:1', ['10.42.0.5'])]).length, 1, 'a new Service with endpoints');
  assert.equal(staleUdpFilters([sp('a:1', ['10.42.0.5'])], [sp('a:1', ['10.42.0.5'])]).length, 0);
  assert.equal(staleUdpFilters([sp('t:1', ['10.42.0.5'], { protocol: 'TCP' })], []).length, 0);
  assert.equal(staleUdpFilters([sp('h:1', ['10.42.0.5'], { clusterIp: 'None' })], []).length, 0, 'headless: nothing NATed');
});
