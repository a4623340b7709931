import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { RbacIndex } from './rbac-index.js';
import { RbacAuthorizer } from './rbac-authorizer.js';
import { resourceAttributes } from './types.js';

const G = 'rbac.authorization.k8s.io';
const crole = (name: string, rules: unknown[]): KObject => ({ apiVersion: `${G}/v1`, kind: 'ClusterRole', metadata: { name }, rules });
const role = (ns: string, name: string, rules: unknown[]): KObject => ({ apiVersion: `${G}/v1`, kind: 'Role', metadata: { name, namespace: ns }, rules });
const bind = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, ns: string | undefined, roleKind: string, roleName: string, subjects: unknown[]): KObject => ({
  apiVersion: `${G}/v1`, kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, roleRef: { apiGroup: G, kind: roleKind, name: roleName }, subjects,
});
const readPods = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }];

function setup() {
  const index = new RbacIndex();
  index.putClusterRole(crole('pod-reader', readPods));
  index.putRole(role('dev', 'cm-writer', [{ verbs: ['create'], apiGroups: [''], resources: ['configmaps'] }]));
  return { index, authz: new RbacAuthorizer(index) };
}

test('a RoleBinding grants a ClusterRole in its namespace only', () => {
  const { index, authz } = setup();
  index.putRoleBinding(bind('RoleBinding', 'b', 'dev', 'ClusterRole', 'pod-reader', [{ kind: 'User', apiGroup: G, name: 'alice' }]));
  const alice = { name: 'alice', groups: [] };
  const r = authz.authorize(resourceAttributes(alice, 'list', { resource: 'pods', namespace: 'dev' }));
  assert.deepEqual(r, { decision: 'allow', reason: 'RBAC: allowed by RoleBinding "b/dev" of ClusterRole "pod-reader" to User "alice"' });
  assert.equal(authz.authorize(resourceAttributes(alice, 'list', { resource: 'pods', namespace: 'prod' })).decision, 'noOpinion');
  assert.equal(authz.authorize(resourceAttributes(alice, 'list', { resource: 'pods' })).decision, 'noOpinion');
});

test('ClusterRoleBindings apply everywhere; groups and service accounts match', () => {
  const { index, authz } = setup();
  index.putClusterRoleBinding(bind('ClusterRoleBinding', 'c', undefined, 'ClusterRole', 'pod-reader', [{ kind: 'Group', apiGroup: G, name: 'dev' }]));
  index.putRoleBinding(bind('RoleBinding', 'sa', 'dev', 'Role', 'cm-writer', [{ kind: 'ServiceAccount', name: 'builder' }]));
  assert.equal(authz.authorize(resourceAttributes({ name: 'x', groups: ['dev'] }, 'get', { resource: 'pods', namespace: 'any', name: 'p' })).decision, 'allow');
  assert.equal(authz.authorize(resourceAttributes({ name: 'x', groups: ['ops'] }, 'get', { resource: 'pods', namespace: 'any', name: 'p' })).decision, 'noOpinion');
  const sa = { name: 'system:serviceaccount:dev:builder', groups: ['system:serviceaccounts'] };
  assert.equal(authz.authorize(resourceAttributes(sa, 'create', { resource: 'configmaps', namespace: 'dev' })).decision, 'allow');
  assert.equal(authz.authorize(resourceAttributes({ ...sa, name: 'system:serviceaccount:other:builder' }, 'create', { resource: 'configmaps', namespace: 'dev' })).decision, 'noOpinion');
});

test('a binding to a missing role explains itself; changes and deletes apply', () => {
  const { index, authz } = setup();
  index.putRoleBinding(bind('RoleBinding', 'b', 'dev', 'Role', 'nope', [{ kind: 'User', apiGroup: G, name: 'alice' }]));
  const a = resourceAttributes({ name: 'alice', groups: [] }, 'get', { resource: 'pods', namespace: 'dev', name: 'p' });
  assert.deepEqual(authz.authorize(a), { decision: 'noOpinion', reason: 'RBAC: role.rbac.authorization.k8s.io "nope" not found' });
  index.putRole(role('dev', 'nope', readPods));
  assert.equal(authz.authorize(a).decision, 'allow');
  index.putRoleBinding(bind('RoleBinding', 'b', 'dev', 'Role', 'nope', [{ kind: 'User', apiGroup: G, name: 'bob' }]));
  assert.equal(authz.authorize(a).decision, 'noOpinion');
  index.deleteRoleBinding('dev', 'b');
  assert.deepEqual(authz.rulesFor({ name: 'bob', groups: [] }, 'dev'), { rules: [], errors: [] });
});
