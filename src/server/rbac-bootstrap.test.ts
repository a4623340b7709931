import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/types.js';
import { mergeBinding, mergeRole } from './rbac-bootstrap.js';
import { defaultPolicy } from '../apiserver/authz/policy/index.js';

const policy = defaultPolicy();
const byName = (objs: KObject[], name: string) => structuredClone(objs.find((o) => o.metadata.name === name)!);

test('the default policy carries upstream labels and annotation; cluster-admin for system:masters', () => {
  const admin = byName(policy.clusterRoles, 'cluster-admin');
  assert.equal(admin.metadata.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults');
  assert.equal(admin.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true');
  assert.deepEqual(byName(policy.clusterRoleBindings, 'cluster-admin').subjects, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }]);
  assert.equal(byName(policy.clusterRoles, 'edit').metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-admin'], 'true');
  assert.deepEqual(byName(policy.clusterRoles, 'view').aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] });
  const names = new Set(policy.clusterRoles.map((r) => r.metadata.name));
  for (const b of [...policy.clusterRoleBindings]) assert.ok(names.has((b.roleRef as { name: string }).name), `${b.metadata.name} refers to a default role`);
});

test('reconciling adds missing rules and subjects and keeps additions', () => {
  const want = byName(policy.clusterRoles, 'system:basic-user');
  const cur = structuredClone(want);
  cur.rules = [{ verbs: ['get'], apiGroups: ['x'], resources: ['y'] }];
  const merged = mergeRole(cur, want)!;
  assert.equal((merged.rules as unknown[]).length, 1 + (want.rules as unknown[]).length);
  assert.equal(mergeRole(structuredClone(merged), want), undefined);
  const binding = byName(policy.clusterRoleBindings, 'system:discovery');
  const extra = { ...structuredClone(binding), subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'carol' }] };
  const mb = mergeBinding(extra, binding) as KObject;
  assert.deepEqual((mb.subjects as { name: string }[]).map((s) => s.name), ['carol', 'system:authenticated']);
  assert.equal(mergeBinding({ ...structuredClone(binding), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'other' } }, binding), 'recreate');
});
