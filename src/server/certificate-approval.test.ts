import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorization } from '../apiserver/authz/authorization.js';
import { defaultPolicy } from '../apiserver/authz/policy/index.js';
import { rbacApprovalCheck } from './certificate-approval.js';

test('node client certificates are approved as the default policy grants them', async () => {
  const authz = new Authorization();
  const p = defaultPolicy();
  for (const r of p.clusterRoles) authz.index.putClusterRole(r);
  for (const b of p.clusterRoleBindings) authz.index.putClusterRoleBinding(b);
  const check = rbacApprovalCheck(authz);
  const bootstrapper = { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] };
  const node = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
  assert.equal(await check(bootstrapper, 'nodeclient'), true);
  assert.equal(await check(bootstrapper, 'selfnodeclient'), false);
  assert.equal(await check(node, 'selfnodeclient'), true);
  assert.equal(await check(node, 'nodeclient'), false);
  assert.equal(await check(node, 'kubeletserving'), true);
  assert.equal(await check({ username: 'alice', groups: ['system:authenticated'] }, 'nodeclient'), false);
  assert.equal(await check({ username: 'root', groups: ['system:masters'] }, 'nodeclient'), true);
});
