// kubectl apply (client side) and the everyday write commands: the stored object must equal what
// upstream's strategic merge gives (lists merged by key, fields dropped from the file removed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.js';
import type { KtsServer } from './harness.js';

let srv: KtsServer;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

const v1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
        - containerPort: 443
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
      - name: sidecar
        image: busybox:1.36
        command: [sleep, "3600"]
`;

const v2 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, env: prod}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.26
        ports:
        - containerPort: 80
        env:
        - {name: B, value: "3"}
        - {name: C, value: "4"}
      - name: sidecar
        image: busybox:1.36
        command: [sleep, "3600"]
`;

interface Deploy {
  metadata: { labels: Record<string, string>; generation: number; annotations: Record<string, string> };
  spec: {
    replicas: number;
    strategy: { type: string; rollingUpdate: { maxSurge: string; maxUnavailable: string } };
    revisionHistoryLimit: number;
    progressDeadlineSeconds: number;
    template: { spec: { containers: { name: string; image: string; ports?: { containerPort: number; protocol: string }[]; env?: { name: string; value: string }[]; terminationMessagePath: string; imagePullPolicy: string }[] } };
  };
}

function getDeploy(): Deploy {
  const r = srv.kubectl(['get', 'deploy', 'web', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Deploy;
}

test('apply, re-apply unchanged, diff, apply changes', () => {
  let r = srv.kubectl(['apply', '-f', '-'], { input: v1 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment.apps\/web created/);
  let d = getDeploy();
  assert.equal(d.metadata.generation, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.template.spec.containers[0]!.terminationMessagePath, '/dev/termination-log');
  assert.equal(d.spec.template.spec.containers[0]!.imagePullPolicy, 'IfNotPresent');
  assert.ok(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);

  r = srv.kubectl(['apply', '-f', '-'], { input: v1 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment.apps\/web unchanged/);

  r = srv.kubectl(['diff', '-f', '-'], { input: v2 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /nginx:1\.26/);
  assert.equal(getDeploy().spec.template.spec.containers[0]!.image, 'nginx:1.25', 'diff must not persist');

  r = srv.kubectl(['apply', '-f', '-'], { input: v2 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment.apps\/web configured/);
  d = getDeploy();
  assert.deepEqual(d.metadata.labels, { app: 'web', env: 'prod' });
  assert.equal(d.metadata.generation, 2);
  const web = d.spec.template.spec.containers.find((c) => c.name === 'web')!;
  assert.equal(web.image, 'nginx:1.26');
  assert.deepEqual(web.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(web.env, [{ name: 'B', value: '3' }, { name: 'C', value: '4' }]);
  assert.deepEqual(d.spec.template.spec.containers.map((c) => c.name), ['web', 'sidecar']);
});

test('scale, label, annotate, patch (json, merge, strategic), replace', () => {
  let r = srv.kubectl(['scale', 'deploy/web', '--replicas=5']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment.apps\/web scaled/);
  assert.equal(getDeploy().spec.replicas, 5);
  r = srv.kubectl(['label', 'deploy', 'web', 'team=blue']);
  assert.equal(r.code, 0, r.stderr);
  r = srv.kubectl(['annotate', 'deploy', 'web', 'note=hello']);
  assert.equal(r.code, 0, r.stderr);
  let d = getDeploy();
  assert.equal(d.metadata.labels.team, 'blue');
  assert.equal(d.metadata.annotations.note, 'hello');
  r = srv.kubectl(['label', 'deploy', 'web', 'team-']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(getDeploy().metadata.labels.team, undefined);

  r = srv.kubectl(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(getDeploy().spec.replicas, 3);
  r = srv.kubectl(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"replicas":4}}']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(getDeploy().spec.replicas, 4);
  r = srv.kubectl(['patch', 'deploy', 'web', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}']);
  assert.equal(r.code, 0, r.stderr);
  d = getDeploy();
  assert.deepEqual(d.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), ['web=nginx:1.26', 'sidecar=busybox:1.37']);
  r = srv.kubectl(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":99}]']);
  assert.notEqual(r.code, 0);

  const cur = srv.kubectl(['get', 'deploy', 'web', '-o', 'json']).stdout;
  const obj = JSON.parse(cur) as Deploy;
  obj.spec.replicas = 1;
  r = srv.kubectl(['replace', '-f', '-'], { input: JSON.stringify(obj) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(getDeploy().spec.replicas, 1);
});

test('edit through KUBE_EDITOR', () => {
  const r = srv.kubectl(['edit', 'deploy', 'web'], { env: { KUBE_EDITOR: 'sed -i -e "s/replicas: 1$/replicas: 7/"' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment.apps\/web edited/);
  assert.equal(getDeploy().spec.replicas, 7);
});

test('output formats: yaml, json, jsonpath, custom-columns, wide, sort-by', () => {
  srv.kubectl(['create', 'configmap', 'b-cm', '--from-literal=x=1']);
  srv.kubectl(['create', 'configmap', 'a-cm', '--from-literal=x=1', '--from-literal=y=2']);
  let r = srv.kubectl(['get', 'cm', 'a-cm', '-o', 'yaml']);
  assert.match(r.stdout, /kind: ConfigMap\n/);
  r = srv.kubectl(['get', 'cm', '-o', 'jsonpath={.items[*].metadata.name}']);
  assert.match(r.stdout, /a-cm b-cm/);
  r = srv.kubectl(['get', 'cm', '-o', 'custom-columns=NAME:.metadata.name,X:.data.x']);
  assert.match(r.stdout, /NAME\s+X\na-cm\s+1\nb-cm\s+1/);
  r = srv.kubectl(['get', 'cm', '--sort-by=.metadata.creationTimestamp']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /NAME\s+DATA\s+AGE/);
  r = srv.kubectl(['get', 'deploy', '-o', 'wide']);
  assert.match(r.stdout, /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
  assert.match(r.stdout, /web\s+0\/7\s+\d+\s+0\s+\S+\s+web,sidecar\s+nginx:1.26,busybox:1.37\s+app=web/);
});
