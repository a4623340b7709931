import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from './node-fit.js';
import { matchesRequiredAffinity, nodeShouldRunDaemonPod, pinToNode, targetNodeName, tolerates, withDaemonTolerations } from './node-fit.js';

const node = (name: string, labels: Record<string, string> = {}, taints: Node['spec'] = {}): Node => ({ metadata: { name, labels }, spec: taints });

test('tolerations match taints as upstream (Exists, Equal, empty key)', () => {
  const taint = { key: 'dedicated', value: 'infra', effect: 'NoSchedule' };
  assert.ok(tolerates({ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }, taint));
  assert.ok(tolerates({ key: 'dedicated', value: 'infra' }, taint));
  assert.ok(!tolerates({ key: 'dedicated', value: 'other' }, taint));
  assert.ok(tolerates({ operator: 'Exists' }, taint));
  assert.ok(!tolerates({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint));
});

test('automatic DaemonSet tolerations, network-unavailable only with hostNetwork', () => {
  const keys = (h: boolean) => withDaemonTolerations({ hostNetwork: h }).map((t) => `${t.key}:${t.effect}`);
  assert.equal(keys(false).length, 6);
  assert.ok(keys(true).includes('node.kubernetes.io/network-unavailable:NoSchedule'));
  // An equal toleration is replaced, not duplicated.
  assert.equal(withDaemonTolerations({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }] }).length, 6);
});

test('taints decide shouldRun and shouldContinueRunning', () => {
  const spec = {};
  assert.deepEqual(nodeShouldRunDaemonPod(node('a'), spec), { shouldRun: true, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, { taints: [{ key: 'x', effect: 'NoSchedule' }] }), spec), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, { taints: [{ key: 'x', effect: 'NoExecute' }] }), spec), { shouldRun: false, shouldContinueRunning: false });
  // unschedulable and not-ready taints are tolerated automatically.
  assert.ok(nodeShouldRunDaemonPod(node('a', {}, { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), spec).shouldRun);
});

test('nodeSelector, required affinity terms and nodeName', () => {
  const n = node('n1', { zone: 'a', size: '10' });
  assert.ok(matchesRequiredAffinity({ nodeSelector: { zone: 'a' } }, n));
  assert.ok(!matchesRequiredAffinity({ nodeSelector: { zone: 'b' } }, n));
  const req = (terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms as never } } } });
  assert.ok(matchesRequiredAffinity(req([{ matchExpressions: [{ key: 'size', operator: 'Gt', values: ['5'] }] }]), n));
  assert.ok(!matchesRequiredAffinity(req([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }]), n));
  assert.ok(matchesRequiredAffinity(req([{}, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]), n));
  assert.ok(!matchesRequiredAffinity(req([{}]), n), 'an empty term matches nothing');
  assert.ok(!nodeShouldRunDaemonPod(n, { nodeName: 'n2' }).shouldRun);
});

test('pinning a pod to a node replaces required terms and keeps the rest', () => {
  const aff = pinToNode({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [], requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] } } }, 'n7');
  assert.deepEqual(aff.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n7'] }] }]);
  assert.ok(aff.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
  assert.equal(targetNodeName({ metadata: {}, spec: { affinity: aff } }), 'n7');
  assert.equal(targetNodeName({ metadata: {}, spec: { nodeName: 'n8', affinity: aff } }), 'n8');
});
