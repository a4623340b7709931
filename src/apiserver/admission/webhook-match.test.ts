import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceSelectorMatches, objectSelectorMatches, resourceMatches, ruleMatches, type MatchAttributes } from './webhook-match.js';

const attrs = (over: Partial<MatchAttributes> = {}): MatchAttributes => ({
  operation: 'CREATE', group: '', versions: ['v1'], resource: 'configmaps', subresource: '', namespaced: true, namespace: 'default', ...over,
});

test('resource patterns: plain, *, */*, subresources', () => {
  assert.equal(resourceMatches(['configmaps'], 'configmaps', ''), true);
  assert.equal(resourceMatches(['pods'], 'pods', 'status'), false);
  assert.equal(resourceMatches(['pods/status'], 'pods', 'status'), true);
  assert.equal(resourceMatches(['*'], 'pods', ''), true);
  assert.equal(resourceMatches(['*'], 'pods', 'status'), false);
  assert.equal(resourceMatches(['*/*'], 'pods', 'status'), true);
  assert.equal(resourceMatches(['*/status'], 'deployments', 'status'), true);
  assert.equal(resourceMatches(['pods/*'], 'pods', 'binding'), true);
});

test('rules: operations, groups, versions, scope', () => {
  const r = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' };
  assert.equal(ruleMatches(r, attrs(), false), 'v1');
  assert.equal(ruleMatches(r, attrs({ operation: 'UPDATE' }), false), undefined);
  assert.equal(ruleMatches({ ...r, operations: ['*'] }, attrs({ operation: 'DELETE' }), false), 'v1');
  assert.equal(ruleMatches({ ...r, apiGroups: ['apps'] }, attrs(), false), undefined);
  assert.equal(ruleMatches({ ...r, scope: 'Cluster' }, attrs(), false), undefined);
  assert.equal(ruleMatches({ ...r, scope: 'Namespaced' }, attrs(), false), 'v1');
  const hpa = attrs({ group: 'autoscaling', versions: ['v2', 'v1'], resource: 'horizontalpodautoscalers' });
  const hr = { operations: ['*'], apiGroups: ['autoscaling'], apiVersions: ['v1'], resources: ['*'] };
  assert.equal(ruleMatches(hr, hpa, false), 'v1');
  assert.equal(ruleMatches(hr, hpa, true), undefined);
});

test('selectors: object labels (new or old), namespace labels, namespaces themselves', () => {
  const sel = { matchLabels: { team: 'a' } };
  const obj = { metadata: { labels: { team: 'a' } } };
  assert.equal(objectSelectorMatches({}, attrs()), true);
  assert.equal(objectSelectorMatches(sel, attrs({ obj: { metadata: {} }, old: obj })), true);
  assert.equal(objectSelectorMatches(sel, attrs({ obj: { metadata: {} } })), false);
  assert.equal(namespaceSelectorMatches(sel, attrs(), { metadata: { labels: { team: 'a' } } }), true);
  assert.equal(namespaceSelectorMatches(sel, attrs(), { metadata: {} }), false);
  assert.equal(namespaceSelectorMatches(sel, attrs({ namespace: '', resource: 'nodes' }), undefined), true);
  assert.equal(namespaceSelectorMatches(sel, attrs({ namespace: '', resource: 'namespaces', obj }), undefined), true);
  assert.equal(namespaceSelectorMatches({ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, attrs({ namespace: '', resource: 'namespaces', obj: { metadata: {} } }), undefined), false);
});
