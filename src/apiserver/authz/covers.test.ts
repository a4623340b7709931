import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactRules, compactString, missingRules } from './covers.js';

test('covers: wildcards, subresources, names and URLs', () => {
  const owner = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/status'] }, { verbs: ['get'], nonResourceURLs: ['/apis/*'] }];
  assert.deepEqual(missingRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods', 'pods/status'] }]), []);
  assert.deepEqual(missingRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }]), [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }]);
  assert.deepEqual(missingRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }]), []);
  assert.deepEqual(missingRules(owner, [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }]), []);
  assert.equal(missingRules([{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]).length, 1);
  assert.deepEqual(missingRules([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['delete'], apiGroups: ['apps'], resources: ['deployments/scale'] }]), []);
});

test('missing rules are compacted and printed as upstream CompactString', () => {
  const missing = missingRules([], [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['nodes'] }]);
  assert.deepEqual(compactRules(missing).map(compactString), ['{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}']);
  assert.equal(compactString({ verbs: ['get'], nonResourceURLs: ['/x'] }), '{NonResourceURLs:["/x"], Verbs:["get"]}');
});
