import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { Authorization } from './authorization.js';
import { checkRbacWrite } from './escalation.js';

const G = 'rbac.authorization.k8s.io';
const alice = { name: 'alice', groups: ['dev'] };
const ctx = (user = alice) => ({ user, dryRun: false, warnings: [] });

function setup(extra: unknown[] = []) {
  const authz = new Authorization();
  authz.index.putClusterRole({ apiVersion: `${G}/v1`, kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }, ...extra] });
  authz.index.putClusterRole({ apiVersion: `${G}/v1`, kind: 'ClusterRole', metadata: { name: 'nodes' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }] });
  authz.index.putRoleBinding({ apiVersion: `${G}/v1`, kind: 'RoleBinding', metadata: { name: 'b', namespace: 'dev' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'reader' }, subjects: [{ kind: 'User', apiGroup: G, name: 'alice' }] });
  return authz;
}
const role = (rules: unknown[]): KObject => ({ apiVersion: `${G}/v1`, kind: 'Role', metadata: { name: 'r', namespace: 'dev' }, rules });
const binding = (roleName: string): KObject => ({ apiVersion: `${G}/v1`, kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'dev' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'User', apiGroup: G, name: 'bob' }] });

async function refusal(p: Promise<void>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e.message;
  }
  return '';
}

test('a role may hold only what its writer holds', async () => {
  const authz = setup();
  await checkRbacWrite(authz, 'roles', role([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), undefined, ctx());
  assert.equal(await refusal(checkRbacWrite(authz, 'roles', role([{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] }]), undefined, ctx())),
    'roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=["dev"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}');
  // system:masters and holders of `escalate` may.
  await checkRbacWrite(authz, 'roles', role([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]), undefined, ctx({ name: 'root', groups: ['system:masters'] }));
  const withEscalate = setup([{ verbs: ['escalate'], apiGroups: [G], resources: ['roles'] }]);
  await checkRbacWrite(withEscalate, 'roles', role([{ verbs: ['delete'], apiGroups: [''], resources: ['secrets'] }]), undefined, ctx());
});

test('a binding needs the role’s permissions or bind', async () => {
  const authz = setup();
  await checkRbacWrite(authz, 'rolebindings', binding('reader'), undefined, ctx());
  assert.match(await refusal(checkRbacWrite(authz, 'rolebindings', binding('nodes'), undefined, ctx())), /^rolebindings\.rbac\.authorization\.k8s\.io "rb" is forbidden: user "alice" \(groups=\["dev"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get"\]\}$/);
  assert.equal(await refusal(checkRbacWrite(authz, 'rolebindings', binding('missing'), undefined, ctx())), 'rolebindings.rbac.authorization.k8s.io "rb" is forbidden: clusterrole.rbac.authorization.k8s.io "missing" not found');
  const withBind = setup([{ verbs: ['bind'], apiGroups: [G], resources: ['clusterroles'], resourceNames: ['nodes'] }]);
  await checkRbacWrite(withBind, 'rolebindings', binding('nodes'), undefined, ctx());
});

test('aggregationRule needs full authority; garbage-collector-only changes pass', async () => {
  const authz = setup([{ verbs: ['escalate'], apiGroups: [G], resources: ['clusterroles'] }]);
  // Cluster roles are cluster-scoped: only a ClusterRoleBinding grants escalate on them.
  authz.index.putClusterRoleBinding({ apiVersion: `${G}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'c' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'reader' }, subjects: [{ kind: 'User', apiGroup: G, name: 'alice' }] });
  const agg: KObject = { apiVersion: `${G}/v1`, kind: 'ClusterRole', metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [] }, rules: [] };
  await checkRbacWrite(authz, 'clusterroles', agg, undefined, ctx()); // escalate skips every check, as upstream
  const plain = setup();
  assert.equal(await refusal(checkRbacWrite(plain, 'clusterroles', agg, undefined, ctx())), 'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use an aggregationRule');
  const big = role([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
  await checkRbacWrite(plain, 'roles', { ...big, metadata: { ...big.metadata, finalizers: ['x'] } }, big, ctx());
});
