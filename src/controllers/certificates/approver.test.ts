import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import type { RestClient } from '../../client/rest-client.js';
import { approveOne, defaultApprovalCheck, nodeNamesOf, type ApprovalCheck, type NodeNames } from './approver.js';
import { csrObject } from './testing.js';

const kubeletClient = { cn: 'system:node:n1', o: ['system:nodes'], signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'key encipherment', 'client auth'] };
const serving = { cn: 'system:node:n1', o: ['system:nodes'], signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'key encipherment', 'server auth'], username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

function fakeClient(): { client: RestClient; updates: { path: string; body: KObject }[] } {
  const updates: { path: string; body: KObject }[] = [];
  return { client: { update: async (path: string, body: KObject) => void updates.push({ path, body }) } as unknown as RestClient, updates };
}
const noNodes: NodeNames = async () => undefined;
const node1: NodeNames = async (name) => (name === 'n1' ? nodeNamesOf({ metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'Host-1' }] } }) : undefined);

async function approve(csr: KObject, names: NodeNames = noNodes, check: ApprovalCheck = defaultApprovalCheck) {
  const f = fakeClient();
  const wait = await approveOne(f.client, csr, check, names);
  const cond = (f.updates[0]?.body.status as { conditions?: { type: string; reason: string; message: string }[] } | undefined)?.conditions?.at(-1);
  return { wait, path: f.updates[0]?.path, cond };
}

test('nodeclient: a bootstrapper gets a kubelet client CSR approved through /approval', async () => {
  const r = await approve(csrObject({ ...kubeletClient, username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] }));
  assert.equal(r.path, '/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/approval');
  assert.deepEqual([r.cond?.type, r.cond?.reason, r.cond?.message], ['Approved', 'AutoApproved', 'Auto approving kubelet client certificate after SubjectAccessReview.']);
});

test('selfnodeclient: a node renewing its own certificate; not for another node', async () => {
  const self = await approve(csrObject({ ...kubeletClient, username: 'system:node:n1', groups: ['system:nodes'] }));
  assert.equal(self.cond?.message, 'Auto approving self kubelet client certificate after SubjectAccessReview.');
  const other = await approve(csrObject({ ...kubeletClient, username: 'system:node:n2', groups: ['system:nodes'] }));
  assert.equal(other.path, undefined);
});

test('users without permission, malformed kubelet CSRs and other signers stay pending', async () => {
  assert.equal((await approve(csrObject({ ...kubeletClient, username: 'jane', groups: ['dev'] }))).path, undefined);
  assert.equal((await approve(csrObject({ ...kubeletClient, o: ['dev'], username: 'system:bootstrap:a', groups: ['system:bootstrappers'] }))).path, undefined);
  assert.equal((await approve(csrObject({ cn: 'jane', signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], username: 'system:bootstrap:a', groups: ['system:bootstrappers'] }))).path, undefined);
  // Already decided: untouched.
  assert.equal((await approve(csrObject({ ...kubeletClient, username: 'system:bootstrap:a', groups: ['system:bootstrappers'], conditions: [{ type: 'Denied', status: 'True' }] }))).path, undefined);
});

test('the permission check is pluggable (RBAC plugs a SubjectAccessReview in)', async () => {
  const seen: string[] = [];
  const deny: ApprovalCheck = async (r, kind) => {
    seen.push(`${r.username}:${kind}`);
    return false;
  };
  const r = await approve(csrObject({ ...kubeletClient, username: 'system:node:n1', groups: ['system:nodes'] }), noNodes, deny);
  assert.equal(r.path, undefined);
  assert.deepEqual(seen, ['system:node:n1:selfnodeclient', 'system:node:n1:nodeclient']);
});

test("kubeletserving: approved only for the node's own names and addresses, once the node exists", async () => {
  const fresh = csrObject({ ...serving, dns: ['n1'], ips: ['10.0.0.1'] });
  fresh.metadata.creationTimestamp = new Date().toISOString();
  assert.equal((await approve(fresh)).wait, 2000, 'waits for the Node');
  fresh.metadata.creationTimestamp = new Date(Date.now() - 16 * 60_000).toISOString();
  assert.equal((await approve(fresh)).wait, undefined, 'but not forever');
  const ok = await approve(csrObject({ ...serving, dns: ['n1', 'host-1'], ips: ['10.0.0.1'] }), node1);
  assert.equal(ok.cond?.message, 'Auto approving kubelet serving certificate after SubjectAccessReview.');
  assert.equal((await approve(csrObject({ ...serving, dns: ['n1'], ips: ['10.0.0.2'] }), node1)).path, undefined, 'foreign IP');
  assert.equal((await approve(csrObject({ ...serving, dns: ['kubernetes.default'] }), node1)).path, undefined, 'foreign name');
  assert.equal((await approve(csrObject({ ...serving, dns: ['n1'], username: 'system:node:n2' }), node1)).path, undefined, 'another node');
});
