import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.js';

const q = (s = '') => new URLSearchParams(s);

test('namespaced object with subresource', () => {
  const r = parseRequestInfo('PATCH', '/apis/apps/v1/namespaces/team1/deployments/web/scale', q());
  assert.deepEqual([r.group, r.version, r.namespace, r.resource, r.name, r.subresource, r.verb], ['apps', 'v1', 'team1', 'deployments', 'web', 'scale', 'patch']);
});

test('collections: list, watch, create, deletecollection', () => {
  assert.equal(parseRequestInfo('GET', '/api/v1/pods', q()).verb, 'list');
  assert.equal(parseRequestInfo('GET', '/api/v1/namespaces/a/pods', q('watch=true')).verb, 'watch');
  assert.equal(parseRequestInfo('GET', '/api/v1/watch/namespaces/a/pods', q()).verb, 'watch');
  assert.equal(parseRequestInfo('POST', '/api/v1/namespaces/a/pods', q()).verb, 'create');
  assert.equal(parseRequestInfo('DELETE', '/api/v1/namespaces/a/pods', q()).verb, 'deletecollection');
});

test('namespaces themselves and their subresources', () => {
  let r = parseRequestInfo('GET', '/api/v1/namespaces', q());
  assert.deepEqual([r.resource, r.name, r.namespace, r.verb], ['namespaces', '', '', 'list']);
  r = parseRequestInfo('DELETE', '/api/v1/namespaces/team1', q());
  assert.deepEqual([r.resource, r.name, r.verb], ['namespaces', 'team1', 'delete']);
  r = parseRequestInfo('PUT', '/api/v1/namespaces/team1/finalize', q());
  assert.deepEqual([r.resource, r.name, r.subresource, r.namespace, r.verb], ['namespaces', 'team1', 'finalize', '', 'update']);
  r = parseRequestInfo('GET', '/api/v1/namespaces/team1/status', q());
  assert.deepEqual([r.resource, r.name, r.subresource], ['namespaces', 'team1', 'status']);
});

test('non-resource paths', () => {
  assert.equal(parseRequestInfo('GET', '/version', q()).isResourceRequest, false);
  assert.equal(parseRequestInfo('GET', '/apis/apps/v1', q()).isResourceRequest, false);
  assert.equal(parseRequestInfo('GET', '/api', q()).isResourceRequest, false);
});
