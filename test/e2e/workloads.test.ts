// Issue 4 as a user tries it: real kubectl against `kts server --disable-agent` with simulated
// agents — Deployments roll out, spread, roll back and clean up; DaemonSets respect taints;
// StatefulSets start in order; Jobs complete or fail; placement rules; quota; node failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, eventually } from './harness.js';
import type { KtsServer } from './harness.js';

let srv: KtsServer;
before(async () => {
  srv = await startServer();
  srv.startSimulatedAgent(['--nodes', '4', '--node-name', 'w', '--node-cpu', '4', '--node-memory', '8Gi']);
  await eventually(() => {
    const r = srv.kubectl(['get', 'nodes', '--no-headers']);
    return r.stdout.trim().split('\n').filter((l) => /\sReady\s/.test(l)).length === 4;
  }, 30_000, '4 Ready nodes');
});
after(async () => {
  await srv?.cleanup();
});

const k = (args: string[], input?: string) => srv.kubectl(args, { input });
const ok = (args: string[], input?: string) => {
  const r = k(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

test('deployment: spread, rollout, history, undo, self-heal, scale, cascade', async () => {
  ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=6']);
  ok(['rollout', 'status', 'deploy/web', '--timeout=60s']);
  const nodes = new Set(ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.nodeName}']).split(' '));
  assert.equal(nodes.size, 4, `pods spread over ${[...nodes].join(',')}`);
  ok(['set', 'image', 'deploy/web', 'nginx=nginx:1.26']);
  ok(['rollout', 'status', 'deploy/web', '--timeout=60s']);
  const hist = ok(['rollout', 'history', 'deploy/web']);
  assert.match(hist, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  ok(['rollout', 'undo', 'deploy/web']);
  ok(['rollout', 'status', 'deploy/web', '--timeout=60s']);
  assert.equal(ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.25');
  const victim = ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}']);
  ok(['delete', 'pod', victim]);
  await eventually(() => {
    const names = ok(['get', 'pods', '-l', 'app=web', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[*].metadata.name}']).split(' ');
    return names.length === 6 && !names.includes(victim);
  }, 30_000, 'a replacement pod');
  ok(['scale', 'deploy/web', '--replicas=2']);
  await eventually(() => ok(['get', 'pods', '-l', 'app=web', '-o', 'name']).trim().split('\n').length === 2, 30_000, 'scale down to 2');
  ok(['delete', 'deploy', 'web']);
  await eventually(() => ok(['get', 'rs,pods', '-l', 'app=web', '-o', 'name']).trim() === '', 30_000, 'ReplicaSets and pods removed');
  ok(['create', 'deployment', 'keep', '--image=nginx', '--replicas=2']);
  ok(['rollout', 'status', 'deploy/keep', '--timeout=60s']);
  ok(['delete', 'deploy', 'keep', '--cascade=orphan']);
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(ok(['get', 'pods', '-l', 'app=keep', '-o', 'name']).trim().split('\n').length, 2, 'orphaned pods stay');
});

test('daemonset skips a NoSchedule node until tolerated; statefulset ordered; jobs', async () => {
  ok(['taint', 'nodes', 'w-3', 'dedicated=infra:NoSchedule']);
  const ds = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: a, image: busybox}]
`;
  ok(['apply', '-f', '-'], ds);
  await eventually(() => ok(['get', 'ds', 'agent', '-o', 'jsonpath={.status.numberReady}']) === '3', 30_000, 'DaemonSet on 3 untainted nodes');
  assert.doesNotMatch(ok(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={.items[*].spec.nodeName}']), /w-3/);
  ok(['patch', 'ds', 'agent', '--type=merge', '-p', '{"spec":{"template":{"spec":{"tolerations":[{"key":"dedicated","operator":"Equal","value":"infra","effect":"NoSchedule"}]}}}}']);
  await eventually(() => ok(['get', 'ds', 'agent', '-o', 'jsonpath={.status.numberReady}/{.status.updatedNumberScheduled}']) === '4/4', 45_000, 'DaemonSet on all 4 nodes');
  ok(['taint', 'nodes', 'w-3', 'dedicated-']);

  const sts = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: busybox}]
`;
  ok(['apply', '-f', '-'], sts);
  await eventually(() => ok(['get', 'sts', 'db', '-o', 'jsonpath={.status.readyReplicas}']) === '3', 45_000, 'StatefulSet ready');
  const pods = JSON.parse(ok(['get', 'pods', '-l', 'app=db', '-o', 'json'])) as { items: { metadata: { name: string; creationTimestamp: string } }[] };
  const order = pods.items.sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name)).map((p) => p.metadata.name);
  assert.deepEqual(order, ['db-0', 'db-1', 'db-2']);

  const job = `apiVersion: batch/v1
kind: Job
metadata: {name: batch4}
spec:
  completions: 4
  parallelism: 2
  template:
    metadata:
      annotations: {simulation.kts.io/run-seconds: "1"}
    spec:
      restartPolicy: Never
      containers: [{name: j, image: busybox}]
`;
  ok(['apply', '-f', '-'], job);
  ok(['wait', '--for=condition=Complete', 'job/batch4', '--timeout=60s']);
  assert.equal(ok(['get', 'job', 'batch4', '-o', 'jsonpath={.status.succeeded}']), '4');
  const failing = `apiVersion: batch/v1
kind: Job
metadata: {name: fails}
spec:
  backoffLimit: 1
  template:
    metadata:
      annotations: {simulation.kts.io/run-seconds: "0.5", simulation.kts.io/exit-code: "3"}
    spec:
      restartPolicy: Never
      containers: [{name: j, image: busybox}]
`;
  ok(['apply', '-f', '-'], failing);
  ok(['wait', '--for=condition=Failed', 'job/fails', '--timeout=90s']);
  assert.equal(ok(['get', 'job', 'fails', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}']), 'BackoffLimitExceeded');
  ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=* * * * *']);
  await eventually(() => ok(['get', 'jobs', '-o', 'name']).includes('job.batch/tick-'), 75_000, 'a Job from the CronJob');
});

test('placement: nodeSelector, insufficient cpu, anti-affinity, preemption', async () => {
  ok(['label', 'nodes', 'w-1', 'env=test']);
  ok(['run', 'picky', '--image=nginx', '--overrides={"spec":{"nodeSelector":{"env":"test"}}}']);
  await eventually(() => ok(['get', 'pod', 'picky', '-o', 'jsonpath={.spec.nodeName}']) === 'w-1', 20_000, 'picky on w-1');
  ok(['run', 'huge', '--image=nginx', '--overrides={"spec":{"containers":[{"name":"huge","image":"nginx","resources":{"requests":{"cpu":"64"}}}]}}']);
  await eventually(() => /FailedScheduling.*0\/4 nodes are available: 4 Insufficient cpu/.test(ok(['get', 'events', '--field-selector=involvedObject.name=huge'])), 20_000, 'FailedScheduling event');
  assert.equal(ok(['get', 'pod', 'huge', '-o', 'jsonpath={.status.phase}']), 'Pending');
  ok(['delete', 'pod', 'huge']);
  const anti = `apiVersion: apps/v1
kind: Deployment
metadata: {name: solo}
spec:
  replicas: 5
  selector: {matchLabels: {app: solo}}
  template:
    metadata: {labels: {app: solo}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: solo}}
            topologyKey: kubernetes.io/hostname
      containers: [{name: s, image: nginx}]
`;
  ok(['apply', '-f', '-'], anti);
  await eventually(() => ok(['get', 'deploy', 'solo', '-o', 'jsonpath={.status.readyReplicas}']) === '4', 30_000, '4 of 5 ready');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(ok(['get', 'pods', '-l', 'app=solo', '--field-selector=status.phase=Pending', '-o', 'name']).trim().split('\n').length, 1);
  ok(['delete', 'deploy', 'solo']);
  // Preemption: fill a node's CPU with low priority, then a high-priority pod needs it.
  ok(['create', 'priorityclass', 'high', '--value=1000']);
  ok(['label', 'nodes', 'w-2', 'pool=p']);
  ok(['run', 'low', '--image=nginx', '--overrides={"spec":{"nodeSelector":{"pool":"p"},"containers":[{"name":"low","image":"nginx","resources":{"requests":{"cpu":"3"}}}]}}']);
  await eventually(() => ok(['get', 'pod', 'low', '-o', 'jsonpath={.spec.nodeName}']) === 'w-2', 20_000, 'low on w-2');
  ok(['run', 'vip', '--image=nginx', '--overrides={"spec":{"priorityClassName":"high","nodeSelector":{"pool":"p"},"containers":[{"name":"vip","image":"nginx","resources":{"requests":{"cpu":"3"}}}]}}']);
  await eventually(() => ok(['get', 'pod', 'vip', '-o', 'jsonpath={.spec.nodeName}']) === 'w-2', 40_000, 'vip preempts low');
});

test('quota refuses the third pod; deleting the namespace removes everything', async () => {
  ok(['create', 'namespace', 'q']);
  ok(['create', 'quota', 'two', '--hard=pods=2', '-n', 'q']);
  ok(['run', 'a', '--image=nginx', '-n', 'q']);
  ok(['run', 'b', '--image=nginx', '-n', 'q']);
  const r = k(['run', 'c', '--image=nginx', '-n', 'q']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pods "c" is forbidden: exceeded quota: two, requested: pods=1, used: pods=2, limited: pods=2/);
  ok(['delete', 'namespace', 'q', '--timeout=60s']);
  assert.notEqual(k(['get', 'ns', 'q']).code, 0);
});
