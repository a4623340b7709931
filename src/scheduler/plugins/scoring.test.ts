import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../util/log.js';
import { CycleState } from '../framework.js';
import { NodeInfo } from '../node-info.js';
import { newPodInfo } from '../pod-info.js';
import { Scheduler } from '../scheduler.js';
import { makeNode, makePod } from '../testing.js';
import { SKIP, SUCCESS } from '../status.js';
import { fits, fitsQuick } from './node-resources-fit.js';
import type { Node, Pod } from '../types.js';

test('fitsQuick agrees with fits() on every combination of pods, cpu, memory and extended resources', () => {
  for (const pods of ['1', '2']) {
    for (const cpu of ['0', '500m', '1']) {
      for (const memory of ['0', '1Gi']) {
        const node = makeNode('n', { cpu: '1', memory: '1Gi', pods });
        node.status!.allocatable = { ...node.status!.allocatable, 'example.com/gpu': '1' };
        const n = new NodeInfo(node);
        n.addPod(newPodInfo(makePod('a', { cpu: '500m', memory: '512Mi', node: 'n' })));
        for (const gpu of [undefined, '0', '1', '2']) {
          const requests: Record<string, string> = { cpu, memory };
          if (gpu !== undefined) requests['example.com/gpu'] = gpu;
          const p = newPodInfo(makePod('p', { spec: { containers: [{ name: 'c', resources: { requests } }] } }));
          assert.equal(fitsQuick(p, n), fits(p, n).length === 0, `pods ${pods} cpu ${cpu} memory ${memory} gpu ${gpu}`);
        }
      }
    }
  }
});

const labels = { app: 'web', 'pod-template-hash': 'abc' };
const owned = (name: string, node?: string): Pod => {
  const p = makePod(name, { cpu: '100m', memory: '128Mi', labels, node });
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs', controller: true }];
  return p;
};

function scheduler(nodes: Node[], pods: Pod[]): Scheduler {
  const s = new Scheduler({ log: silentLogger, listers: { defaultSpreadSelector: (p) => (p.metadata.ownerReferences?.length ? { matchLabels: labels } : undefined) } });
  for (const n of nodes) s.onNodeAdd(n);
  for (const p of pods) s.onPodAdd(p);
  return s;
}

test('scoreAll gives what score gives node by node (spreading, LeastAllocated, BalancedAllocation)', () => {
  const nodes = [
    makeNode('a', { labels: { 'topology.kubernetes.io/zone': 'z1' } }),
    makeNode('b', { labels: { 'topology.kubernetes.io/zone': 'z1' }, cpu: '8' }),
    makeNode('c', { labels: { 'topology.kubernetes.io/zone': 'z2' }, memory: '2Gi' }),
    makeNode('d'),
  ];
  const s = scheduler(nodes, [owned('p1', 'a'), owned('p2', 'a'), owned('p3', 'b'), owned('p4', 'c')]);
  const pod = newPodInfo(owned('new'));
  const infos = nodes.map((n) => s.cache.nodeInfo(n.metadata.name!)!);
  const state = new CycleState();
  for (const p of s.framework.preScore) assert.notEqual(p.preScore(state, pod, infos).code, 'Error');
  let batched = 0;
  for (const { plugin } of s.framework.score) {
    if (!plugin.scoreAll) continue;
    batched++;
    const out: number[] = [];
    plugin.scoreAll(state, pod, infos, out);
    assert.deepEqual(out, infos.map((n) => plugin.score(state, pod, n)), plugin.name);
  }
  assert.equal(batched, 3);
  // The spreading scores are not all equal here (nodes hold 2, 1, 1 and 0 of the pods).
  const spread = s.framework.score.find((x) => x.plugin.name === 'PodTopologySpread')!.plugin;
  assert.ok(new Set(infos.map((n) => spread.score(state, pod, n))).size > 1);
});

test('TaintToleration and NodeAffinity skip scoring when every node would score the same', () => {
  const plain = [makeNode('a'), makeNode('b')];
  const s = scheduler(plain, []);
  const tt = s.framework.preScore.find((p) => p.name === 'TaintToleration')!;
  const na = s.framework.preScore.find((p) => p.name === 'NodeAffinity')!;
  const pod = newPodInfo(makePod('p'));
  const infos = plain.map((n) => s.cache.nodeInfo(n.metadata.name!)!);
  assert.equal(tt.preScore(new CycleState(), pod, infos), SKIP);
  assert.equal(na.preScore(new CycleState(), pod, infos), SKIP);
  const preferring = newPodInfo(makePod('q', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['b'] }] } }] } } } }));
  assert.equal(na.preScore(new CycleState(), preferring, infos), SUCCESS);

  // A PreferNoSchedule taint anywhere among the candidates: scored, and the untainted node wins.
  const tainted = [makeNode('a', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }), makeNode('b')];
  const t = scheduler(tainted, []);
  const tinfos = tainted.map((n) => t.cache.nodeInfo(n.metadata.name!)!);
  const ttt = t.framework.preScore.find((p) => p.name === 'TaintToleration')!;
  assert.equal(ttt.preScore(new CycleState(), pod, tinfos), SUCCESS);
  for (let i = 0; i < 20; i++) {
    const r = t.algorithm.schedule(newPodInfo(makePod(`r${i}`)));
    assert.ok(r.ok);
    assert.equal(r.node, 'b');
  }
});
