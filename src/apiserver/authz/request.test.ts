import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { parseRequestInfo } from '../request-info.js';
import { Authorization } from './authorization.js';
import { impersonate, requestAttributes } from './request.js';

const alice = { name: 'alice', groups: ['system:authenticated'] };
const attrs = (method: string, path: string, query = '') => requestAttributes(alice, method, path, parseRequestInfo(method, path, new URLSearchParams(query)), new URLSearchParams(query));

test('request attributes: verbs, names from field selectors, one-segment subresources, paths', () => {
  const a = attrs('GET', '/api/v1/namespaces/dev/configmaps', 'fieldSelector=metadata.name%3Dx&watch=true');
  assert.deepEqual([a.verb, a.resource, a.namespace, a.name], ['watch', 'configmaps', 'dev', 'x']);
  assert.equal(attrs('GET', '/api/v1/namespaces/dev/configmaps', 'fieldSelector=metadata.namespace%3Ddev').name, '');
  assert.equal(attrs('GET', '/api/v1/nodes/n1/proxy/metrics').subresource, 'proxy');
  const p = attrs('POST', '/apis');
  assert.deepEqual([p.isResourceRequest, p.verb, p.path], [false, 'post', '/apis']);
});

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

test('impersonation needs the impersonate verb for the user and each group', async () => {
  const authz = new Authorization();
  const G = 'rbac.authorization.k8s.io';
  authz.index.putClusterRole({ apiVersion: `${G}/v1`, kind: 'ClusterRole', metadata: { name: 'imp' }, rules: [{ verbs: ['impersonate'], apiGroups: [''], resources: ['users'], resourceNames: ['bob'] }, { verbs: ['impersonate'], apiGroups: [''], resources: ['serviceaccounts'] }] });
  authz.index.putClusterRoleBinding({ apiVersion: `${G}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'imp' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'imp' }, subjects: [{ kind: 'User', apiGroup: G, name: 'alice' }] });
  assert.deepEqual(await impersonate(authz, alice, req({})), alice);
  assert.deepEqual(await impersonate(authz, alice, req({ 'impersonate-user': 'bob' })), { name: 'bob', groups: ['system:authenticated'] });
  assert.deepEqual(await impersonate(authz, alice, req({ 'impersonate-user': 'system:serviceaccount:dev:ci' })), { name: 'system:serviceaccount:dev:ci', groups: ['system:serviceaccounts', 'system:serviceaccounts:dev', 'system:authenticated'] });
  await assert.rejects(impersonate(authz, alice, req({ 'impersonate-user': 'carol' })), /users "carol" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope/);
  await assert.rejects(impersonate(authz, alice, req({ 'impersonate-user': 'bob', 'impersonate-group': 'system:masters' })), /groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope/);
  await assert.rejects(impersonate(authz, alice, req({ 'impersonate-group': 'x' })), /without impersonating a user/);
});
