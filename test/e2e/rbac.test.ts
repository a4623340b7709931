// RBAC as a user meets it (issue 7, slice B): a user with a client certificate (CN alice, O dev)
// bound to `edit` in one namespace creates a deployment there and is refused elsewhere and on
// cluster-scoped objects with upstream's 403 texts; `auth can-i`, `can-i --list`, `--as` and
// `auth whoami` agree. A service account's token lists pods only once a RoleBinding allows it.
// Node credentials (system:node:<name>) cannot read an unrelated Secret nor patch another Node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, eventually, rawRequest } from './harness.js';
import type { KtsServer } from './harness.js';
import { signClientCert } from '../../src/server/pki.js';
import { renderKubeconfig } from '../../src/server/kubeconfig.js';

let srv: KtsServer;
let tls: string;
before(async () => {
  srv = await startServer();
  tls = join(srv.dataDir, 'server', 'tls');
});
after(async () => {
  await srv?.cleanup();
});

/** A kubeconfig for a client certificate signed by the cluster's client CA. */
function userKubeconfig(file: string, cn: string, o: string[]): string {
  const ca = { certPem: readFileSync(join(tls, 'client-ca.crt'), 'utf8'), keyPem: readFileSync(join(tls, 'client-ca.key'), 'utf8') };
  const cert = signClientCert(ca, { cn, o }, 1);
  const path = join(srv.home, '..', file);
  writeFileSync(path, renderKubeconfig({ server: `https://127.0.0.1:${srv.port}`, caPem: readFileSync(join(tls, 'server-ca.crt'), 'utf8'), clientCertPem: cert.certPem, clientKeyPem: cert.keyPem }));
  return path;
}

const ok = (args: string[], input?: string) => {
  const r = srv.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

test('a user bound to edit in one namespace', async () => {
  const alice = userKubeconfig('alice.kubeconfig', 'alice', ['dev']);
  const as = (args: string[]) => srv.kubectl(['--kubeconfig', alice, ...args]);
  ok(['create', 'namespace', 'dev']);
  ok(['create', 'rolebinding', 'alice-edit', '--clusterrole=edit', '--user=alice', '-n', 'dev']);

  const who = as(['auth', 'whoami']);
  assert.equal(who.code, 0, who.stderr);
  assert.match(who.stdout, /Username\s+alice/);
  assert.match(who.stdout, /Groups\s+\[dev system:authenticated\]/);

  // edit is filled by the aggregation controller; wait for it to reach deployments.
  await eventually(() => as(['auth', 'can-i', 'create', 'deployments.apps', '-n', 'dev']).stdout.trim() === 'yes', 20_000, 'edit aggregated');
  const created = as(['create', 'deployment', 'web', '--image=nginx:1.27', '-n', 'dev']);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(as(['get', 'deployment', 'web', '-n', 'dev', '-o', 'name']).stdout.trim(), 'deployment.apps/web');

  const elsewhere = as(['create', 'deployment', 'web', '--image=nginx:1.27', '-n', 'default']);
  assert.notEqual(elsewhere.code, 0);
  assert.match(elsewhere.stderr, /deployments\.apps is forbidden: User "alice" cannot create resource "deployments" in API group "apps" in the namespace "default"/);
  const named = as(['get', 'secret', 'x', '-n', 'default']);
  assert.match(named.stderr, /secrets "x" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "default"/);
  const nodes = as(['get', 'nodes']);
  assert.match(nodes.stderr, /nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope/);
  const logs = as(['logs', 'nope', '-n', 'default']);
  assert.match(logs.stderr, /pods "nope" is forbidden: User "alice" cannot get resource "pods\/log" in API group "" in the namespace "default"|pods "nope" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default"/);

  const canI = (args: string[]) => as(['auth', 'can-i', ...args]).stdout.trim();
  assert.equal(canI(['create', 'deployments', '-n', 'dev']), 'yes');
  assert.equal(canI(['create', 'deployments', '-n', 'default']), 'no');
  assert.equal(canI(['list', 'nodes']), 'no');
  assert.equal(canI(['get', 'pods', '--subresource=log', '-n', 'dev']), 'yes');
  assert.equal(canI(['create', 'rolebindings', '-n', 'dev']), 'no');
  const list = as(['auth', 'can-i', '--list', '-n', 'dev']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^deployments\.apps\s+\[\]\s+\[\]\s+\[create update patch delete deletecollection get list watch\]$/m);
  assert.match(list.stdout, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
  assert.match(list.stdout, /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
  assert.doesNotMatch(as(['auth', 'can-i', '--list', '-n', 'default']).stdout, /deployments\.apps/);

  // A role labelled aggregate-to-edit extends edit (the clusterrole-aggregation controller).
  assert.equal(as(['auth', 'can-i', 'create', 'leases', '-n', 'dev']).stdout.trim(), 'no');
  ok(['create', '-f', '-'], JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name: 'leases-edit', labels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } },
    rules: [{ verbs: ['get', 'list', 'create'], apiGroups: ['coordination.k8s.io'], resources: ['leases'] }],
  }));
  await eventually(() => as(['auth', 'can-i', 'create', 'leases', '-n', 'dev']).stdout.trim() === 'yes', 20_000, 'leases aggregated into edit');
  assert.equal(as(['auth', 'can-i', 'create', 'leases', '-n', 'default']).stdout.trim(), 'no');

  // SubjectAccessReview, as an authorizing webhook or an admission controller would ask.
  const sar = await rawRequest(srv, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', JSON.stringify({
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
    spec: { user: 'alice', groups: ['dev'], resourceAttributes: { namespace: 'dev', verb: 'create', group: 'apps', resource: 'deployments' } },
  }), { 'Content-Type': 'application/json' });
  assert.equal(sar.status, 201, sar.body);
  assert.deepEqual(JSON.parse(sar.body).status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "alice-edit/dev" of ClusterRole "edit" to User "alice"' });

  // Impersonation: the admin may, alice may not.
  assert.equal(srv.kubectl(['auth', 'can-i', 'create', 'deployments', '-n', 'dev', '--as', 'alice']).stdout.trim(), 'yes');
  assert.equal(srv.kubectl(['auth', 'can-i', 'create', 'deployments', '-n', 'default', '--as', 'alice']).stdout.trim(), 'no');
  const imp = as(['get', 'pods', '-n', 'dev', '--as', 'bob']);
  assert.match(imp.stderr, /users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope/);

  // Escalation: an admin of dev may not grant what it does not hold.
  ok(['create', 'rolebinding', 'alice-admin', '--clusterrole=admin', '--user=alice', '-n', 'dev']);
  await eventually(() => as(['auth', 'can-i', 'create', 'roles', '-n', 'dev']).stdout.trim() === 'yes', 20_000, 'admin aggregated');
  const escalate = as(['create', 'role', 'nodes-reader', '--verb=get', '--resource=nodes', '-n', 'dev']);
  assert.match(escalate.stderr, /roles\.rbac\.authorization\.k8s\.io "nodes-reader" is forbidden: user "alice" \(groups=\["dev" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get"\]\}/);
  const bind = as(['create', 'rolebinding', 'alice-admin2', '--clusterrole=cluster-admin', '--user=alice', '-n', 'dev']);
  assert.match(bind.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "alice-admin2" is forbidden: user "alice" .* is attempting to grant RBAC permissions not currently held/);
  const fine = as(['create', 'role', 'pods-reader', '--verb=get', '--resource=pods', '-n', 'dev']);
  assert.equal(fine.code, 0, fine.stderr);
});

test("a service account's token lists pods once a RoleBinding allows it", async () => {
  ok(['create', 'namespace', 'team']);
  ok(['create', 'serviceaccount', 'reader', '-n', 'team']);
  const token = ok(['create', 'token', 'reader', '-n', 'team']).trim();
  const withToken = (args: string[]) => srv.kubectl(['--kubeconfig', '/dev/null', '--server', `https://127.0.0.1:${srv.port}`, '--certificate-authority', join(tls, 'server-ca.crt'), '--token', token, ...args]);
  const denied = withToken(['get', 'pods', '-n', 'team']);
  assert.match(denied.stderr, /pods is forbidden: User "system:serviceaccount:team:reader" cannot list resource "pods" in API group "" in the namespace "team"/);
  ok(['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods', '-n', 'team']);
  ok(['create', 'rolebinding', 'reader-pods', '--role=pod-reader', '--serviceaccount=team:reader', '-n', 'team']);
  const allowed = withToken(['get', 'pods', '-n', 'team']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stderr + allowed.stdout, /No resources found in team namespace/);
  assert.match(withToken(['get', 'pods', '-n', 'default']).stderr, /cannot list resource "pods" in API group "" in the namespace "default"/);
  assert.match(withToken(['auth', 'whoami']).stdout, /Username\s+system:serviceaccount:team:reader/);
  const review = await rawRequest(srv, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }), { 'Content-Type': 'application/json' });
  assert.equal(review.status, 201, review.body);
  const rs = JSON.parse(review.body).status as { authenticated: boolean; user: { username: string; groups: string[] } };
  assert.equal(rs.authenticated, true);
  assert.equal(rs.user.username, 'system:serviceaccount:team:reader');
  assert.ok(rs.user.groups.includes('system:serviceaccounts:team'));
  const bogus = await rawRequest(srv, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'nope' } }), { 'Content-Type': 'application/json' });
  assert.deepEqual(JSON.parse(bogus.body).status, { authenticated: false });
});

test('node credentials: only its own Node and what its pods use', async () => {
  const n1 = userKubeconfig('n1.kubeconfig', 'system:node:n1', ['system:nodes']);
  const asNode = (args: string[], input?: string) => srv.kubectl(['--kubeconfig', n1, ...args], { input });
  const node = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  const reg = asNode(['create', '-f', '-'], node('n1'));
  assert.equal(reg.code, 0, reg.stderr);
  const other = asNode(['create', '-f', '-'], node('n2'));
  assert.match(other.stderr, /nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"/);
  ok(['create', '-f', '-'], node('n2'));
  // As a kubelet does: PATCH nodes/<name>/status straight away (system:node may not GET the status subresource).
  const status = '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","message":"ok"}]}}';
  const patchOwn = await nodeRequest('PATCH', '/api/v1/nodes/n1/status', status);
  assert.equal(patchOwn.status, 200, patchOwn.body);
  const patchOther = await nodeRequest('PATCH', '/api/v1/nodes/n2/status', status);
  assert.equal(patchOther.status, 403);
  assert.match(JSON.parse(patchOther.body).message, /^nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"$/);

  ok(['create', 'secret', 'generic', 'unrelated', '--from-literal=k=v', '-n', 'default']);
  ok(['create', 'secret', 'generic', 'mounted', '--from-literal=k=v', '-n', 'default']);
  const unrelated = asNode(['get', 'secret', 'unrelated', '-n', 'default']);
  assert.match(unrelated.stderr, /secrets "unrelated" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object/);
  const listAll = asNode(['get', 'secrets', '-n', 'default']);
  assert.match(listAll.stderr, /secrets is forbidden: User "system:node:n1" cannot list resource "secrets" in API group "" in the namespace "default"/);
  ok(['create', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'uses-secret', namespace: 'default' },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx:1.27' }], volumes: [{ name: 's', secret: { secretName: 'mounted' } }] },
  }));
  await eventually(() => asNode(['get', 'secret', 'mounted', '-n', 'default', '-o', 'name']).stdout.trim() === 'secret/mounted', 10_000, 'secret readable by its node');
  assert.match(asNode(['get', 'secret', 'unrelated', '-n', 'default']).stderr, /no relationship found between node 'n1' and this object/);
  // Pods: only mirror pods, only on itself; status only for its own pods.
  const plain = asNode(['run', 'p', '--image=nginx:1.27', '-n', 'default']);
  assert.match(plain.stderr, /pods "p" is forbidden: pod does not have "kubernetes.io\/config.mirror" annotation, node "n1" can only create mirror pods/);
  ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-n2', namespace: 'default' }, spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'nginx:1.27' }] } }));
  const foreign = await nodeRequest('PATCH', '/api/v1/namespaces/default/pods/on-n2/status', '{"status":{"phase":"Running"}}');
  assert.match(JSON.parse(foreign.body).message, /^pods "on-n2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself$/);
  const own = await nodeRequest('PATCH', '/api/v1/namespaces/default/pods/uses-secret/status', '{"status":{"phase":"Running"}}');
  assert.equal(own.status, 200, own.body);

  async function nodeRequest(method: string, path: string, body: string): Promise<{ status: number; body: string }> {
    const kc = readFileSync(n1, 'utf8');
    const field = (name: string) => Buffer.from(new RegExp(`${name}: (\\S+)`).exec(kc)![1]!, 'base64');
    const { request } = await import('node:https');
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: srv.port, path, method, headers: { 'Content-Type': 'application/merge-patch+json' }, ca: readFileSync(join(tls, 'server-ca.crt')), cert: field('client-certificate-data'), key: field('client-key-data') }, (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
});

test('health and version are public; the rest needs credentials', async () => {
  const anon = (path: string) => fetchStatus(path);
  assert.equal(await anon('/healthz'), 200);
  assert.equal(await anon('/version'), 200);
  assert.equal(await anon('/api/v1/namespaces'), 401);
});

async function fetchStatus(path: string): Promise<number> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, ca: readFileSync(join(tls, 'server-ca.crt')) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
