import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forbiddenError } from './forbidden.js';
import { pathAttributes, resourceAttributes } from './types.js';

const bob = { name: 'bob', groups: [] };

test("upstream's texts: namespaced, cluster scope, named, subresource, non-resource", () => {
  assert.equal(forbiddenError(resourceAttributes(bob, 'list', { resource: 'pods', namespace: 'default' }), '').message, 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"');
  assert.equal(forbiddenError(resourceAttributes(bob, 'list', { resource: 'nodes' }), '').message, 'nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope');
  const named = forbiddenError(resourceAttributes(bob, 'get', { group: 'apps', resource: 'deployments', namespace: 'x', name: 'web' }), '');
  assert.equal(named.message, 'deployments.apps "web" is forbidden: User "bob" cannot get resource "deployments" in API group "apps" in the namespace "x"');
  assert.deepEqual([named.code, named.reason, named.details], [403, 'Forbidden', { name: 'web', group: 'apps', kind: 'deployments' }]);
  assert.equal(forbiddenError(resourceAttributes(bob, 'get', { resource: 'pods', subresource: 'log', namespace: 'x', name: 'p' }), '').message, 'pods "p" is forbidden: User "bob" cannot get resource "pods/log" in API group "" in the namespace "x"');
  assert.equal(forbiddenError(pathAttributes(bob, 'get', '/metrics'), '').message, 'forbidden: User "bob" cannot get path "/metrics"');
  assert.equal(forbiddenError(resourceAttributes(bob, 'get', { resource: 'secrets', namespace: 'x', name: 's' }), 'RBAC: role.rbac.authorization.k8s.io "r" not found').message, 'secrets "s" is forbidden: User "bob" cannot get resource "secrets" in API group "" in the namespace "x": RBAC: role.rbac.authorization.k8s.io "r" not found');
});
