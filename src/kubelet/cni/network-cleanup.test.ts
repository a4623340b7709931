import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planIptablesCleanup } from './network-cleanup.js';
import { mountsUnder, parseMountPoints } from '../containerd/host-cleanup.js';

const NAT = `*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:CNI-HOSTPORT-DNAT - [0:0]
:CNI-aaa - [0:0]
:CNI-bbb - [0:0]
:CNI-DN-ccc - [0:0]
:KTS-SERVICES - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A PREROUTING -j KTS-SERVICES
-A POSTROUTING -s 10.42.0.2/32 -m comment --comment "name: \\"kts-1\\" id: \\"x\\"" -j CNI-aaa
-A POSTROUTING -s 10.43.0.2/32 -m comment --comment "name: \\"other\\" id: \\"y\\"" -j CNI-bbb
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"kts-1\\" id: \\"x\\"" -m multiport --dports 80 -j CNI-DN-ccc
-A CNI-aaa -d 10.42.0.0/24 -m comment --comment "name: \\"kts-1\\" id: \\"x\\"" -j ACCEPT
-A CNI-bbb -d 10.43.0.0/24 -m comment --comment "name: \\"other\\" id: \\"y\\"" -j ACCEPT
-A CNI-DN-ccc -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.42.0.2:80
-A KTS-SERVICES -j RETURN
COMMIT
`;

test('iptables: rules and chains of our network and KTS-* chains go; other networks and shared chains stay', () => {
  const plan = planIptablesCleanup(new Map([['nat', NAT], ['filter', '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n']]), 'kts-1', ['KTS-']);
  assert.deepEqual([...plan.scripts.keys()], ['nat']);
  const script = plan.scripts.get('nat')!.split('\n');
  assert.deepEqual(script, [
    '*nat',
    '-D PREROUTING -j KTS-SERVICES',
    '-D POSTROUTING -s 10.42.0.2/32 -m comment --comment "name: \\"kts-1\\" id: \\"x\\"" -j CNI-aaa',
    '-D CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"kts-1\\" id: \\"x\\"" -m multiport --dports 80 -j CNI-DN-ccc',
    '-F CNI-DN-ccc', '-F CNI-aaa', '-F KTS-SERVICES',
    '-X CNI-DN-ccc', '-X CNI-aaa', '-X KTS-SERVICES',
    'COMMIT', '',
  ]);
  assert.equal(plan.chains, 3);
  assert.equal(plan.rules, 6);
  // A network named like a prefix of ours is not ours.
  assert.equal(planIptablesCleanup(new Map([['nat', NAT]]), 'kts', []).scripts.size, 0);
});

test('mounts under the node folders, deepest first, escapes decoded', () => {
  const info = [
    '36 25 0:32 / /var/lib/kts/agent/containerd/root/x/rootfs rw - overlay overlay rw',
    '37 25 0:33 / /run/kts/abc/containerd/sandboxes/1/shm rw - tmpfs shm rw',
    '38 25 0:34 / /var/lib/kts/agent/kubelet/pods/u/volumes/my\\040vol rw - tmpfs tmpfs rw',
    '39 25 0:35 / /var/lib/kts2/x rw - tmpfs tmpfs rw',
    '40 25 0:36 / /var/lib/kts/agent/kubelet/pods/u rw - tmpfs tmpfs rw',
  ].join('\n');
  const points = parseMountPoints(info);
  assert.ok(points.includes('/var/lib/kts/agent/kubelet/pods/u/volumes/my vol'));
  assert.deepEqual(mountsUnder(points, ['/var/lib/kts', '/run/kts/abc']), [
    '/var/lib/kts/agent/kubelet/pods/u/volumes/my vol',
    '/var/lib/kts/agent/containerd/root/x/rootfs',
    '/var/lib/kts/agent/kubelet/pods/u',
    '/run/kts/abc/containerd/sandboxes/1/shm',
  ]);
});
