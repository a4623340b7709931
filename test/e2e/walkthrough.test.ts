// The first-week walk-through with the real kubectl: version, api-resources, get all, a namespace,
// run/expose/get/delete, errors as upstream prints them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, eventually, rawRequest } from './harness.js';
import type { KtsServer } from './harness.js';

let srv: KtsServer;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

test('kubectl version reports server 1.32', () => {
  const r = srv.kubectl(['version', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as { serverVersion: { major: string; minor: string; gitVersion: string } };
  assert.equal(v.serverVersion.major, '1');
  assert.equal(v.serverVersion.minor, '32');
  assert.match(v.serverVersion.gitVersion, /^v1\.32\.\d+-kts/);
});

test('api-resources lists every short name', () => {
  const r = srv.kubectl(['api-resources']);
  assert.equal(r.code, 0, r.stderr);
  for (const sn of ['po', 'svc', 'deploy', 'rs', 'ing', 'cm', 'hpa', 'ds', 'pvc', 'pv', 'sts', 'rc', 'quota', 'sa', 'cj', 'ev', 'sc', 'ep', 'limits', 'no', 'ns']) {
    assert.match(r.stdout, new RegExp(`\\s${sn}(,|\\s)`), `short name ${sn} missing`);
  }
});

test('get all -A shows the kubernetes service', () => {
  const r = srv.kubectl(['get', 'all', '-A']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /default\s+service\/kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP/);
});

test('seed walk-through: namespace, run, expose, delete', async () => {
  let r = srv.kubectl(['create', 'namespace', 'team1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /namespace\/team1 created/);
  r = srv.kubectl(['run', 'nginx', '--image', 'nginx', '--port=80', '-n', 'team1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pod\/nginx created/);
  r = srv.kubectl(['get', 'pods', '-n', 'team1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
  assert.match(r.stdout, /nginx\s+0\/1\s+Pending\s+0\s+\d+s/);
  r = srv.kubectl(['expose', 'pod', 'nginx', '--type=NodePort', '-n', 'team1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /service\/nginx exposed/);
  r = srv.kubectl(['get', 'service', '-n', 'team1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /nginx\s+NodePort\s+10\.43\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP/);
  r = srv.kubectl(['get', 'pod', 'nginx', '-n', 'team1', '-o', 'jsonpath={.spec.restartPolicy},{.spec.dnsPolicy},{.spec.containers[0].imagePullPolicy},{.metadata.labels.run}']);
  assert.equal(r.stdout, 'Always,ClusterFirst,Always,nginx');
  r = srv.kubectl(['delete', 'pod', 'nginx', '-n', 'team1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pod "nginx" deleted/);
  r = srv.kubectl(['delete', 'svc', 'nginx', '-n', 'team1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /service "nginx" deleted/);
  r = srv.kubectl(['get', 'pods,svc', '-n', 'team1']);
  assert.match(r.stderr + r.stdout, /No resources found in team1 namespace/);
  // Deleting the namespace removes what is in it and then the namespace itself.
  srv.kubectl(['create', 'configmap', 'leftover', '--from-literal=a=b', '-n', 'team1']);
  r = srv.kubectl(['delete', 'namespace', 'team1', '--wait=false']);
  assert.equal(r.code, 0, r.stderr);
  r = srv.kubectl(['create', 'configmap', 'late', '-n', 'team1']);
  if (r.code !== 0) assert.match(r.stderr, /(being terminated|not found)/);
  await eventually(() => srv.kubectl(['get', 'ns', 'team1']).code !== 0, 20_000, 'namespace team1 to go away');
  // Its contents went with it: a new namespace of the same name starts empty.
  assert.equal(srv.kubectl(['create', 'namespace', 'team1']).code, 0);
  r = srv.kubectl(['get', 'cm', 'leftover', '-n', 'team1']);
  assert.match(r.stderr, /configmaps "leftover" not found/);
  r = srv.kubectl(['delete', 'namespace', 'kube-system']);
  assert.match(r.stderr, /Forbidden/);
});

test('errors read like upstream', () => {
  let r = srv.kubectl(['get', 'pod', 'nope']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Error from server \(NotFound\): pods "nope" not found/);
  r = srv.kubectl(['create', 'configmap', 'dup']);
  assert.equal(r.code, 0, r.stderr);
  r = srv.kubectl(['create', 'configmap', 'dup']);
  assert.match(r.stderr, /configmaps "dup" already exists/);
  r = srv.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n' });
  assert.match(r.stderr, /Error from server \(AlreadyExists\): error when creating "STDIN": configmaps "dup" already exists/);
  r = srv.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n' });
  assert.match(r.stderr, /The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  r = srv.kubectl(['create', '-f', '-'], { input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: web, image: nginx}]\n' });
  assert.match(r.stderr, /The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
  r = srv.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\nbogus: 1\n' });
  assert.match(r.stderr, /strict decoding error: unknown field "bogus"/);
  r = srv.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n' });
  assert.notEqual(r.code, 0);
  r = srv.kubectl(['create', '-f', '-'], { input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: typed\nspec:\n  replicas: "three"\n' });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /replicas/);
});

test('stale resourceVersion is a conflict', async () => {
  srv.kubectl(['create', 'configmap', 'cas', '--from-literal=a=1']);
  const cm = JSON.parse(srv.kubectl(['get', 'cm', 'cas', '-o', 'json']).stdout) as { metadata: { resourceVersion: string } };
  const stale = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cas', resourceVersion: cm.metadata.resourceVersion }, data: { a: '2' } });
  let r = srv.kubectl(['replace', '-f', '-'], { input: stale });
  assert.equal(r.code, 0, r.stderr);
  r = srv.kubectl(['replace', '-f', '-'], { input: stale });
  assert.match(r.stderr, /Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again/);
});

test('unauthenticated requests are refused; health is public', async () => {
  const r = await rawRequest(srv, 'GET', '/api/v1/namespaces', undefined, {}, false);
  assert.equal(r.status, 401);
  assert.equal((JSON.parse(r.body) as { reason: string }).reason, 'Unauthorized');
  const h = await rawRequest(srv, 'GET', '/readyz', undefined, {}, false);
  assert.equal(h.status, 200);
});

test('oversized and malformed bodies get 4xx and the server survives', async () => {
  const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'a'.repeat(4 * 1024 * 1024) } });
  let r = await rawRequest(srv, 'POST', '/api/v1/namespaces/default/configmaps', big, { 'Content-Type': 'application/json' }).catch(() => ({ status: 413, body: '', headers: {} }));
  assert.equal(r.status, 413);
  r = await rawRequest(srv, 'POST', '/api/v1/namespaces/default/configmaps', '{"apiVersion":', { 'Content-Type': 'application/json' });
  assert.equal(r.status, 400);
  r = await rawRequest(srv, 'POST', '/api/v1/namespaces/default/configmaps', '[1,2]', { 'Content-Type': 'application/json' });
  assert.equal(r.status, 400);
  r = await rawRequest(srv, 'POST', '/api/v1/namespaces/default/configmaps', '{"metadata":{"name":"x"},"data":{"a":1}}', { 'Content-Type': 'application/json' });
  assert.equal(r.status, 400);
  r = await rawRequest(srv, 'GET', '/readyz');
  assert.equal(r.status, 200);
});

test('Invalid status messages name the qualified kind, as upstream', async () => {
  const body = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'neg' }, spec: { replicas: -1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  const r = await rawRequest(srv, 'POST', '/apis/apps/v1/namespaces/default/deployments', body, { 'Content-Type': 'application/json' });
  assert.equal(r.status, 422);
  const st = JSON.parse(r.body) as { message: string; reason: string; details: { causes: { field: string }[] } };
  assert.equal(st.reason, 'Invalid');
  assert.equal(st.message, 'Deployment.apps "neg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  assert.equal(st.details.causes[0]!.field, 'spec.replicas');
});

test('kubectl 1.31 and 1.33 work as well as 1.32', () => {
  for (const bin of ['kubectl.1.31', 'kubectl.1.33']) {
    const name = `v-${bin.replace('kubectl.1.', '')}`;
    let r = srv.kubectl(['create', 'configmap', name, '--from-literal=a=b'], { bin });
    assert.equal(r.code, 0, `${bin}: ${r.stderr}`);
    r = srv.kubectl(['apply', '-f', '-'], { bin, input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-applied\ndata:\n  k: v\n` });
    assert.equal(r.code, 0, `${bin}: ${r.stderr}`);
    r = srv.kubectl(['get', 'cm', name, `${name}-applied`], { bin });
    assert.equal(r.code, 0, `${bin}: ${r.stderr}`);
    assert.match(r.stdout, /NAME\s+DATA\s+AGE/);
    r = srv.kubectl(['delete', 'cm', name, `${name}-applied`], { bin });
    assert.equal(r.code, 0, `${bin}: ${r.stderr}`);
  }
});

test('kubectl 1.32 typed create commands (protobuf bodies)', () => {
  const ns = ['-n', 'typed'];
  const cmds: string[][] = [
    ['create', 'namespace', 'typed'],
    ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80', ...ns],
    ['create', 'configmap', 'c1', '--from-literal=a=b', ...ns],
    ['create', 'secret', 'generic', 's1', '--from-literal=p=q', ...ns],
    ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', ...ns],
    ['create', 'serviceaccount', 'sa1', ...ns],
    ['create', 'job', 'j1', '--image=busybox', ...ns, '--', 'echo', 'hi'],
    ['create', 'cronjob', 'cj1', '--image=busybox', '--schedule=*/5 * * * *', ...ns],
    ['create', 'quota', 'q1', '--hard=pods=10', ...ns],
    ['create', 'pdb', 'pdb1', '--selector=app=web', '--min-available=1', ...ns],
    ['create', 'priorityclass', 'high', '--value=1000'],
    ['create', 'ingress', 'ing1', '--rule=foo.com/bar=svc1:80', ...ns],
    ['create', 'role', 'r1', '--verb=get', '--resource=pods', ...ns],
    ['create', 'rolebinding', 'rb1', '--role=r1', '--user=bob', ...ns],
    ['create', 'clusterrole', 'cr1', '--verb=get', '--resource=nodes'],
    ['create', 'clusterrolebinding', 'crb1', '--clusterrole=cr1', '--user=bob'],
  ];
  for (const c of cmds) {
    const r = srv.kubectl(c);
    assert.equal(r.code, 0, `${c.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /created/);
  }
  let r = srv.kubectl(['get', 'deploy', 'web', ...ns, '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}']);
  assert.equal(r.stdout, '2 nginx 80');
  r = srv.kubectl(['get', 'secret', 's1', ...ns, '-o', 'jsonpath={.data.p}']);
  assert.equal(Buffer.from(r.stdout, 'base64').toString(), 'q');
  r = srv.kubectl(['get', 'ing', 'ing1', ...ns, '-o', 'jsonpath={.spec.rules[0].host}{.spec.rules[0].http.paths[0].path}']);
  assert.equal(r.stdout, 'foo.com/bar');
});
