import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { NodeGraph } from './node-graph.js';
import { NodeAuthorizer } from './node-authorizer.js';
import { resourceAttributes } from './types.js';

const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const pod = (name: string, node: string, spec: Record<string, unknown> = {}): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, containers: [{ name: 'c' }], ...spec } });

function setup() {
  const graph = new NodeGraph();
  graph.putPod(pod('a', 'n1', {
    serviceAccountName: 'runner',
    volumes: [{ name: 'v', secret: { secretName: 'mounted' } }, { name: 'c', persistentVolumeClaim: { claimName: 'data' } }, { name: 'p', projected: { sources: [{ configMap: { name: 'cm' } }] } }],
    containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } }] }],
  }));
  graph.putPod(pod('b', 'n2', { volumes: [{ name: 'v', secret: { secretName: 'other' } }] }));
  graph.putClaim({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { volumeName: 'pv-1' } });
  return { graph, authz: new NodeAuthorizer(graph) };
}

const get = (resource: string, name: string, namespace = 'default', verb = 'get') => resourceAttributes(n1, verb, { resource, name, namespace });

test('secrets, config maps, claims, volumes and tokens only through its pods', () => {
  const { authz } = setup();
  for (const [r, n] of [['secrets', 'mounted'], ['secrets', 'env-secret'], ['configmaps', 'cm'], ['persistentvolumeclaims', 'data']]) assert.equal(authz.authorize(get(r!, n!)).decision, 'allow', `${r}/${n}`);
  assert.equal(authz.authorize(resourceAttributes(n1, 'get', { resource: 'persistentvolumes', name: 'pv-1' })).decision, 'allow');
  assert.equal(authz.authorize(resourceAttributes(n1, 'create', { resource: 'serviceaccounts', subresource: 'token', namespace: 'default', name: 'runner' })).decision, 'allow');
  assert.deepEqual(authz.authorize(get('secrets', 'other')), { decision: 'noOpinion', reason: "no relationship found between node 'n1' and this object" });
  assert.deepEqual(authz.authorize(resourceAttributes(n1, 'list', { resource: 'secrets', namespace: 'default' })), { decision: 'noOpinion', reason: 'No Object name found' });
  assert.deepEqual(authz.authorize(get('secrets', 'mounted', 'default', 'update')), { decision: 'noOpinion', reason: 'can only read resources of this type' });
  assert.deepEqual(authz.authorize(resourceAttributes(n1, 'create', { resource: 'serviceaccounts', subresource: 'token', namespace: 'default', name: 'default' })).decision, 'noOpinion');
});

test('the relation ends with the pod; other users get no opinion', () => {
  const { graph, authz } = setup();
  graph.removePod('default', 'a');
  assert.equal(authz.authorize(get('secrets', 'mounted')).decision, 'noOpinion');
  assert.deepEqual(authz.authorize(resourceAttributes({ name: 'alice', groups: ['system:nodes'] }, 'get', { resource: 'secrets', namespace: 'default', name: 'mounted' })), { decision: 'noOpinion', reason: '' });
});

test("leases: its own in kube-node-lease; everything else by system:node's rules", () => {
  const { authz } = setup();
  const lease = (verb: string, name: string, namespace = 'kube-node-lease') => resourceAttributes(n1, verb, { group: 'coordination.k8s.io', resource: 'leases', namespace, name });
  assert.equal(authz.authorize(lease('update', 'n1')).decision, 'allow');
  assert.equal(authz.authorize(lease('update', 'n2')).reason, 'can only access node lease with the same name as the requesting node');
  assert.equal(authz.authorize(lease('get', 'n1', 'default')).decision, 'noOpinion');
  assert.equal(authz.authorize(resourceAttributes(n1, 'list', { resource: 'pods' })).decision, 'allow');
  assert.equal(authz.authorize(resourceAttributes(n1, 'patch', { resource: 'nodes', subresource: 'status', name: 'n2' })).decision, 'allow');
  assert.equal(authz.authorize(resourceAttributes(n1, 'delete', { resource: 'namespaces', name: 'x' })).decision, 'noOpinion');
});
