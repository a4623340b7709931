import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo } from './pod-info.js';
import { numFeasibleNodesToFind } from './schedule-one.js';
import { fitErrorMessage } from './fit-error.js';
import { makeNode, makePod, makeScheduler } from './testing.js';
import { unresolvable, unschedulable } from './status.js';

const zoneNodes = () => [
  makeNode('a1', { labels: { zone: 'a' } }),
  makeNode('a2', { labels: { zone: 'a' } }),
  makeNode('b1', { labels: { zone: 'b' } }),
];

test('percentageOfNodesToScore is adaptive as upstream', () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(500), 230);
  assert.equal(numFeasibleNodesToFind(5000), 500);
  assert.equal(numFeasibleNodesToFind(100_000), 5000);
  assert.equal(numFeasibleNodesToFind(1000, 1), 100);
});

test('fit error message: sorted histogram, prefilter message, absent nodes', () => {
  const statuses = new Map([
    ['n1', unschedulable('Insufficient cpu')],
    ['n2', unschedulable('Insufficient cpu', 'Insufficient memory')],
  ]);
  assert.equal(fitErrorMessage(3, { nodeStatuses: statuses, absentStatus: unresolvable('x') }), '0/3 nodes are available: 1 Insufficient memory, 1 x, 2 Insufficient cpu.');
  assert.equal(fitErrorMessage(2, { nodeStatuses: new Map(), preFilterMsg: 'pod has unbound immediate PersistentVolumeClaims', postFilterMsg: 'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.' }), '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
});

test('inter-pod affinity: required affinity follows matching pods, anti-affinity avoids them, symmetry', () => {
  const s = makeScheduler(zoneNodes(), [makePod('db', { labels: { app: 'db' }, node: 'b1' })]);
  const term = { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' };
  const near = s.algorithm.schedule(newPodInfo(makePod('web', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } } })));
  assert.ok(near.ok && near.node === 'b1');
  for (let i = 0; i < 10; i++) {
    const far = s.algorithm.schedule(newPodInfo(makePod('web2', { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } } })));
    assert.ok(far.ok && far.node.startsWith('a'));
  }
  // An existing pod's anti-affinity keeps matching pods out of its zone.
  const s2 = makeScheduler(zoneNodes(), [makePod('loner', { node: 'a1', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'x' } }, topologyKey: 'zone' }] } } } })]);
  for (let i = 0; i < 10; i++) {
    const r = s2.algorithm.schedule(newPodInfo(makePod('x', { labels: { app: 'x' } })));
    assert.ok(r.ok && r.node === 'b1');
  }
  // Affinity to pods that exist nowhere fails, unless the pod matches its own term (first of a group).
  const lonely = s2.algorithm.schedule(newPodInfo(makePod('y', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'none' } }, topologyKey: 'zone' }] } } } })));
  assert.ok(!lonely.ok);
  assert.match(lonely.message, /3 node\(s\) didn't match pod affinity rules/);
  const first = s2.algorithm.schedule(newPodInfo(makePod('z', { labels: { app: 'none' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'none' } }, topologyKey: 'zone' }] } } } })));
  assert.ok(first.ok);
});

test('topology spread: DoNotSchedule keeps skew within maxSkew; missing label is unresolvable', () => {
  const pods = [makePod('w1', { labels: { app: 'w' }, node: 'a1' }), makePod('w2', { labels: { app: 'w' }, node: 'a2' })];
  const s = makeScheduler([...zoneNodes(), makeNode('nolabel')], pods);
  const c = { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } };
  const r = s.algorithm.schedule(newPodInfo(makePod('w3', { labels: { app: 'w' }, spec: { topologySpreadConstraints: [c] } })));
  assert.ok(r.ok && r.node === 'b1');
  const blocked = makeScheduler([...zoneNodes(), makeNode('nolabel')], [...pods, makePod('w0', { labels: { app: 'w' }, node: 'a1' })]);
  // With nodeAffinityPolicy Ignore the empty zone b still counts as a domain (minimum 0).
  const ignore = { ...c, nodeAffinityPolicy: 'Ignore' };
  const r2 = blocked.algorithm.schedule(newPodInfo(makePod('w4', { labels: { app: 'w' }, spec: { topologySpreadConstraints: [ignore], nodeSelector: { zone: 'a' } } })));
  assert.ok(!r2.ok);
  assert.match(r2.message, /^0\/4 nodes are available: 2 node\(s\) didn't match Pod's node affinity\/selector, 2 node\(s\) didn't match pod topology spread constraints\./);
  // Honoring the selector, only zone a is a domain: the pod fits there.
  const r2b = blocked.algorithm.schedule(newPodInfo(makePod('w4', { labels: { app: 'w' }, spec: { topologySpreadConstraints: [c], nodeSelector: { zone: 'a' } } })));
  assert.ok(r2b.ok);
  // minDomains: with fewer domains than asked, the global minimum counts as 0.
  const r3 = s.algorithm.schedule(newPodInfo(makePod('w5', { labels: { app: 'w' }, spec: { topologySpreadConstraints: [{ ...c, minDomains: 3 }], nodeSelector: { zone: 'b' } } })));
  assert.ok(r3.ok && r3.node === 'b1');
  const r4 = s.algorithm.schedule(newPodInfo(makePod('w6', { labels: { app: 'w' }, spec: { topologySpreadConstraints: [{ ...c, minDomains: 3 }], nodeSelector: { zone: 'a' } } })));
  assert.ok(!r4.ok);
});

test('ScheduleAnyway spreading and LeastAllocated spread replicas over nodes', () => {
  const nodes = [makeNode('n1'), makeNode('n2'), makeNode('n3'), makeNode('n4')];
  const s = makeScheduler(nodes);
  const counts = new Map<string, number>();
  for (let i = 0; i < 8; i++) {
    const p = makePod(`r${i}`, { labels: { app: 'r' }, cpu: '100m', spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'r' } } }] } });
    const r = s.algorithm.schedule(newPodInfo(p));
    assert.ok(r.ok);
    counts.set(r.node, (counts.get(r.node) ?? 0) + 1);
    s.onPodAdd({ ...p, spec: { ...p.spec, nodeName: r.node } });
  }
  assert.deepEqual([...counts.values()], [2, 2, 2, 2]);
});

test('volume binding: unbound immediate claims are unschedulable, WaitForFirstConsumer is allowed, PV node affinity is respected', () => {
  const claims: Record<string, { spec: { volumeName?: string; storageClassName?: string } }> = {
    imm: { spec: {} },
    wffc: { spec: { storageClassName: 'local' } },
    bound: { spec: { volumeName: 'pv1' } },
  };
  const s = makeScheduler(zoneNodes());
  Object.assign(s.framework.handle.listers, {
    pvc: (_ns: string, n: string) => (claims[n] ? { metadata: { name: n }, ...claims[n] } : undefined),
    storageClass: (n: string) => (n === 'local' ? { metadata: { name: n }, volumeBindingMode: 'WaitForFirstConsumer' } : undefined),
    pv: () => ({ metadata: { name: 'pv1' }, spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }] } } } }),
  });
  const withClaim = (c: string) => newPodInfo(makePod(`p-${c}`, { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: c } }] } }));
  const r1 = s.algorithm.schedule(withClaim('imm'));
  assert.ok(!r1.ok);
  assert.equal(r1.message, '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  assert.ok(s.algorithm.schedule(withClaim('wffc')).ok);
  const r3 = s.algorithm.schedule(withClaim('bound'));
  assert.ok(r3.ok && r3.node === 'b1');
  const r4 = s.algorithm.schedule(withClaim('missing'));
  assert.ok(!r4.ok && r4.message.startsWith('0/3 nodes are available: persistentvolumeclaim "missing" not found.'));
});

test('preemption picks the node with the least important victims and keeps the victims minimal', () => {
  const s = makeScheduler(
    [makeNode('n1', { cpu: '2' }), makeNode('n2', { cpu: '2' })],
    [
      makePod('mid', { cpu: '1', node: 'n1', priority: 50 }),
      makePod('low-a', { cpu: '500m', node: 'n2', priority: 10 }),
      makePod('low-b', { cpu: '1', node: 'n2', priority: 10 }),
      makePod('keep', { cpu: '500m', node: 'n1', priority: 500 }),
    ],
  );
  const r = s.algorithm.schedule(newPodInfo(makePod('vip', { cpu: '1', priority: 100 })));
  assert.ok(!r.ok);
  assert.equal(r.nominatedNodeName, 'n2');
  assert.equal(r.message, '0/2 nodes are available: 2 Insufficient cpu.');
  const never = s.algorithm.schedule(newPodInfo(makePod('polite', { cpu: '1', priority: 100, spec: { preemptionPolicy: 'Never' } })));
  assert.ok(!never.ok && never.message === '0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
});
