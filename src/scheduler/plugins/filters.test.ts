import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeInfo } from '../node-info.js';
import { newPodInfo } from '../pod-info.js';
import { makeNode, makePod } from '../testing.js';
import { fits, leastAllocatedScore } from './node-resources-fit.js';
import { untoleratedReason, countIntolerablePreferNoSchedule } from './taint-toleration.js';
import { schedulableFor } from './node-unschedulable.js';
import { portsConflict } from './node-ports.js';
import { preFilterNodeNames } from './node-affinity.js';
import { podMatchesNodeSelectorAndAffinity } from '../match.js';
import { balancedScore } from './balanced-allocation.js';
import type { PodSpec } from '../types.js';

test('fits: reasons in upstream order and wording', () => {
  const n = new NodeInfo(makeNode('n', { cpu: '1', memory: '1Gi', pods: '1' }));
  n.addPod(newPodInfo(makePod('a', { cpu: '500m', node: 'n' })));
  const p = newPodInfo(makePod('p', { cpu: '600m', memory: '2Gi', spec: { containers: [{ name: 'c', resources: { requests: { cpu: '600m', memory: '2Gi', 'example.com/foo': '1' } } }] } }));
  assert.deepEqual(fits(p, n), ['Too many pods', 'Insufficient cpu', 'Insufficient memory', 'Insufficient example.com/foo']);
  const small = new NodeInfo(makeNode('m', { cpu: '1' }));
  assert.deepEqual(fits(newPodInfo(makePod('q', { cpu: '1' })), small), []);
});

test('LeastAllocated and BalancedAllocation scores', () => {
  const n = new NodeInfo(makeNode('n', { cpu: '4', memory: '8Gi' }));
  const p = newPodInfo(makePod('p', { cpu: '1', memory: '2Gi' }));
  assert.equal(leastAllocatedScore(p, n), 75);
  assert.equal(balancedScore(p, n), 100);
  const q = newPodInfo(makePod('q', { cpu: '2', memory: '0' }));
  assert.equal(balancedScore(q, n), 75);
});

test('taints: NoSchedule filter reason, PreferNoSchedule count, unschedulable nodes', () => {
  const n = new NodeInfo(makeNode('n', { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }] }));
  assert.equal(untoleratedReason(newPodInfo(makePod('p')), n), 'node(s) had untolerated taint {dedicated: infra}');
  const tol = newPodInfo(makePod('t', { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }] } }));
  assert.equal(untoleratedReason(tol, n), undefined);
  assert.equal(countIntolerablePreferNoSchedule(tol, n), 1);
  const cordoned = new NodeInfo(makeNode('c', { unschedulable: true }));
  assert.equal(schedulableFor(newPodInfo(makePod('p')), cordoned), false);
  assert.equal(schedulableFor(newPodInfo(makePod('ds', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } })), cordoned), true);
});

test('node affinity: selector, expressions, matchFields metadata.name narrows candidates', () => {
  const node = makeNode('n1', { labels: { zone: 'a', size: '10' } });
  const m = (spec: Partial<PodSpec>) => podMatchesNodeSelectorAndAffinity(makePod('p', { spec }), node);
  assert.equal(m({ nodeSelector: { zone: 'a' } }), true);
  assert.equal(m({ nodeSelector: { zone: 'b' } }), false);
  const req = (expr: { key: string; operator: string; values?: string[] }) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr] }] } } });
  assert.equal(m({ affinity: req({ key: 'size', operator: 'Gt', values: ['5'] }) }), true);
  assert.equal(m({ affinity: req({ key: 'zone', operator: 'NotIn', values: ['a'] }) }), false);
  assert.equal(m({ affinity: req({ key: 'gpu', operator: 'DoesNotExist' }) }), true);
  const ds = makePod('ds', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } } });
  assert.deepEqual([...preFilterNodeNames(newPodInfo(ds))!], ['n1']);
  assert.equal(podMatchesNodeSelectorAndAffinity(ds, node), true);
  assert.equal(podMatchesNodeSelectorAndAffinity(ds, makeNode('n2')), false);
});

test('host port conflicts', () => {
  assert.equal(portsConflict([{ ip: '0.0.0.0', protocol: 'TCP', port: 80 }], [{ ip: '10.0.0.1', protocol: 'TCP', port: 80 }]), true);
  assert.equal(portsConflict([{ ip: '10.0.0.2', protocol: 'TCP', port: 80 }], [{ ip: '10.0.0.1', protocol: 'TCP', port: 80 }]), false);
  assert.equal(portsConflict([{ ip: '0.0.0.0', protocol: 'UDP', port: 80 }], [{ ip: '0.0.0.0', protocol: 'TCP', port: 80 }]), false);
});
