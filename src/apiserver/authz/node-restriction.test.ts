import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { builtinResources } from '../../api/resources.js';
import { StatusError } from '../../api/errors.js';
import { admitNodeRestriction, admitNodeTokenRequest } from './node-restriction.js';

const info = (r: string) => builtinResources.find((x) => x.group === '' && x.resource === r)!;
const ctx = (name: string, groups = ['system:nodes']) => ({ user: { name, groups }, dryRun: false, warnings: [] });
const pod = (name: string, node: string, mirror = false): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...(mirror ? { annotations: { 'kubernetes.io/config.mirror': 'x' } } : {}) }, spec: { nodeName: node } });
const node = (name: string): KObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
const message = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 403);
    return e.message;
  }
  return '';
};

test('a node changes only its own Node', () => {
  admitNodeRestriction(info('nodes'), 'UPDATE', node('n1'), node('n1'), 'status', ctx('system:node:n1'));
  assert.equal(message(() => admitNodeRestriction(info('nodes'), 'UPDATE', node('n2'), node('n2'), 'status', ctx('system:node:n1'))), 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
  assert.equal(message(() => admitNodeRestriction(info('nodes'), 'DELETE', node('n2'), undefined, '', ctx('system:node:n1'))), 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
});

test('pods: mirror pods on itself, status and deletes of its own pods', () => {
  const n1 = ctx('system:node:n1');
  admitNodeRestriction(info('pods'), 'CREATE', pod('m', 'n1', true), undefined, '', n1);
  assert.equal(message(() => admitNodeRestriction(info('pods'), 'CREATE', pod('p', 'n1'), undefined, '', n1)), 'pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
  assert.equal(message(() => admitNodeRestriction(info('pods'), 'CREATE', pod('m', 'n2', true), undefined, '', n1)), 'pods "m" is forbidden: node "n1" can only create pods with spec.nodeName set to itself');
  admitNodeRestriction(info('pods'), 'UPDATE', pod('p', 'n1'), pod('p', 'n1'), 'status', n1);
  assert.equal(message(() => admitNodeRestriction(info('pods'), 'UPDATE', pod('p', 'n2'), pod('p', 'n2'), 'status', n1)), 'pods "p" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
  assert.equal(message(() => admitNodeRestriction(info('pods'), 'DELETE', pod('p', 'n2'), undefined, '', n1)), 'pods "p" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
});

test('not a node: untouched', () => {
  admitNodeRestriction(info('nodes'), 'UPDATE', node('n2'), node('n2'), '', ctx('system:node:n1', []));
  admitNodeRestriction(info('pods'), 'CREATE', pod('p', 'n2'), undefined, '', ctx('alice'));
});

test('labels and taints a node may not set on itself', () => {
  const n1 = ctx('system:node:n1');
  const labelled = (labels: Record<string, string>, taints?: unknown[]): KObject => ({ ...node('n1'), metadata: { name: 'n1', labels }, ...(taints ? { spec: { taints } } : {}) });
  admitNodeRestriction(info('nodes'), 'CREATE', labelled({ 'kubernetes.io/hostname': 'n1', 'node.kubernetes.io/exclude-from-external-load-balancers': '', 'example.com/rack': '7' }), undefined, '', n1);
  assert.equal(message(() => admitNodeRestriction(info('nodes'), 'CREATE', labelled({ 'node-role.kubernetes.io/control-plane': '', 'node-restriction.kubernetes.io/pool': 'a' }), undefined, '', n1)),
    'nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/pool, node-role.kubernetes.io/control-plane');
  const before = labelled({ 'node-role.kubernetes.io/worker': '' });
  admitNodeRestriction(info('nodes'), 'UPDATE', labelled({ 'node-role.kubernetes.io/worker': '', 'example.com/x': 'y' }), before, '', n1);
  assert.equal(message(() => admitNodeRestriction(info('nodes'), 'UPDATE', labelled({}), before, '', n1)), 'nodes "n1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker');
  assert.equal(message(() => admitNodeRestriction(info('nodes'), 'UPDATE', labelled({}, []), labelled({}, [{ key: 'k', effect: 'NoSchedule' }]), '', n1)), 'nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
});

test('mirror pods reference no other objects; status updates keep labels', () => {
  const n1 = ctx('system:node:n1');
  const mirror = (spec: Record<string, unknown>): KObject => ({ ...pod('m', 'n1', true), spec: { nodeName: 'n1', ...spec } });
  assert.equal(message(() => admitNodeRestriction(info('pods'), 'CREATE', mirror({ serviceAccountName: 'default' }), undefined, '', n1)), 'pods "m" is forbidden: node "n1" can not create pods that reference a service account');
  assert.equal(message(() => admitNodeRestriction(info('pods'), 'CREATE', mirror({ volumes: [{ name: 'v', secret: { secretName: 's' } }] }), undefined, '', n1)), 'pods "m" is forbidden: node "n1" can not create pods that reference secrets');
  assert.equal(message(() => admitNodeRestriction(info('pods'), 'CREATE', mirror({ containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'c' } }] }] }), undefined, '', n1)), 'pods "m" is forbidden: node "n1" can not create pods that reference configmaps');
  assert.equal(message(() => admitNodeRestriction(info('pods'), 'CREATE', mirror({ volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }] }), undefined, '', n1)), 'pods "m" is forbidden: node "n1" can not create pods that reference persistentvolumeclaims');
  const old = pod('p', 'n1');
  assert.equal(message(() => admitNodeRestriction(info('pods'), 'UPDATE', { ...old, metadata: { ...old.metadata, labels: { a: 'b' } } }, old, 'status', n1)), 'pods "p" is forbidden: node "n1" cannot update labels through pod status');
});

test("a node's token requests are bound to its own pods", async () => {
  const n1 = { name: 'system:node:n1', groups: ['system:nodes'] };
  const pods: Record<string, KObject> = { mine: { ...pod('mine', 'n1'), metadata: { name: 'mine', namespace: 'default', uid: 'u1' } }, theirs: { ...pod('theirs', 'n2'), metadata: { name: 'theirs', namespace: 'default', uid: 'u2' } } };
  const get = async (_ns: string, name: string) => pods[name]!;
  const tr = (ref?: Record<string, string>): KObject => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: ref ? { boundObjectRef: ref } : {} });
  await admitNodeTokenRequest(n1, 'default', 'sa', tr({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'u1' }), get);
  await admitNodeTokenRequest({ name: 'alice', groups: [] }, 'default', 'sa', tr(), get);
  await assert.rejects(admitNodeTokenRequest(n1, 'default', 'sa', tr(), get), /^StatusError: serviceaccounts "sa" is forbidden: node requested token not bound to a pod$/);
  await assert.rejects(admitNodeTokenRequest(n1, 'default', 'sa', tr({ apiVersion: 'v1', kind: 'Pod', name: 'mine' }), get), /without a uid/);
  await assert.rejects(admitNodeTokenRequest(n1, 'default', 'sa', tr({ apiVersion: 'v1', kind: 'Pod', name: 'theirs', uid: 'u2' }), get), /node requested token bound to a pod scheduled on a different node/);
  await assert.rejects(admitNodeTokenRequest(n1, 'default', 'sa', tr({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'old' }), get), /does not match the UID in record \(u1\)/);
});
