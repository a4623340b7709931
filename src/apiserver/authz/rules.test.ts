import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleAllows } from './rules.js';
import { pathAttributes, resourceAttributes } from './types.js';

const bob = { name: 'bob', groups: [] };
const res = (verb: string, resource: string, o: { group?: string; subresource?: string; name?: string; namespace?: string } = {}) => resourceAttributes(bob, verb, { resource, ...o });

test('verbs, groups and resources, with *', () => {
  const r = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
  assert.equal(ruleAllows(res('get', 'pods'), r), true);
  assert.equal(ruleAllows(res('delete', 'pods'), r), false);
  assert.equal(ruleAllows(res('get', 'pods', { group: 'apps' }), r), false);
  assert.equal(ruleAllows(res('get', 'services'), r), false);
  assert.equal(ruleAllows(res('watch', 'deployments', { group: 'apps' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), true);
});

test('subresources: named, */sub, and the parent alone does not grant them', () => {
  assert.equal(ruleAllows(res('get', 'pods', { subresource: 'log' }), { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }), true);
  assert.equal(ruleAllows(res('get', 'pods', { subresource: 'log' }), { verbs: ['get'], apiGroups: [''], resources: ['pods'] }), false);
  assert.equal(ruleAllows(res('update', 'deployments', { group: 'apps', subresource: 'scale' }), { verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }), true);
  assert.equal(ruleAllows(res('update', 'deployments', { group: 'apps' }), { verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }), false);
  assert.equal(ruleAllows(res('get', 'pods', { subresource: 'status' }), { verbs: ['get'], apiGroups: [''], resources: ['*'] }), true);
});

test('resourceNames narrow to names; a list (no name) does not match them', () => {
  const r = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] };
  assert.equal(ruleAllows(res('get', 'configmaps', { name: 'a' }), r), true);
  assert.equal(ruleAllows(res('get', 'configmaps', { name: 'b' }), r), false);
  assert.equal(ruleAllows(res('list', 'configmaps'), r), false);
});

test('non-resource URLs: exact, trailing * as prefix, and never for resource requests', () => {
  const r = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.equal(ruleAllows(pathAttributes(bob, 'get', '/healthz'), r), true);
  assert.equal(ruleAllows(pathAttributes(bob, 'get', '/healthz/etcd'), r), false);
  assert.equal(ruleAllows(pathAttributes(bob, 'get', '/apis/apps/v1'), r), true);
  assert.equal(ruleAllows(pathAttributes(bob, 'post', '/healthz'), r), false);
  assert.equal(ruleAllows(res('get', 'pods'), r), false);
  assert.equal(ruleAllows(pathAttributes(bob, 'get', '/metrics'), { verbs: ['get'], apiGroups: ['*'], resources: ['*'] }), false);
});
