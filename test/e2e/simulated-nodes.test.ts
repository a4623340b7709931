// Simulated nodes as a user runs them (issue 4, Done-when 5): two `kts agent --simulated`
// processes join a `kts server --disable-agent`; pods bound to one agent's nodes run there;
// kill -9 that agent and its nodes go NotReady after the 40 s grace period (unreachable taints),
// and pods tolerating unreachable for 5 s are evicted 5 s later. The other agent's nodes stay Ready.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, eventually } from './harness.js';
import type { KtsServer } from './harness.js';

let srv: KtsServer;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

interface NodeView { metadata: { name: string }; spec: { podCIDR?: string; taints?: { key: string; effect: string }[] }; status: { conditions: { type: string; status: string; reason: string; message: string }[] } }
interface PodView { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName: string }; status: { phase: string; podIP?: string } }

const json = <T>(args: string[]): T => {
  const r = srv.kubectl([...args, '-o', 'json']);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};
const nodes = () => json<{ items: NodeView[] }>(['get', 'nodes']).items;
const ready = (n: NodeView) => n.status.conditions.find((c) => c.type === 'Ready');
const pods = () => json<{ items: PodView[] }>(['get', 'pods']).items;

const podYaml = (name: string, node: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  nodeName: ${node}
  containers:
  - name: app
    image: nginx:1.27
  tolerations:
  - key: node.kubernetes.io/unreachable
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 5
  - key: node.kubernetes.io/not-ready
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 5
`;

test('killing a simulated agent makes its nodes NotReady and evicts pods after their toleration', { timeout: 90_000 }, async () => {
  const ca = join(srv.dataDir, 'server', 'tls', 'server-ca.crt');
  const agentA = srv.startSimulatedAgent(['--nodes', '2', '--node-name', 'a', '--ca-cert', ca]);
  srv.startSimulatedAgent(['--nodes', '2', '--node-name', 'b', '--ca-cert', ca, '--node-label', 'pool=b']);
  await eventually(() => {
    const ns = nodes();
    return ns.length === 4 && ns.every((n) => ready(n)?.status === 'True' && n.spec.podCIDR);
  }, 30_000, `4 Ready nodes with pod CIDRs:\n${srv.logs().slice(-3000)}`);
  const table = srv.kubectl(['get', 'nodes', '--no-headers']).stdout;
  assert.match(table, /^a-0\s+Ready\s+<none>\s+\S+\s+v1\.32\.4-kts-sim$/m);
  assert.equal(srv.kubectl(['get', 'nodes', '-l', 'pool=b', '-o', 'name']).stdout.trim(), 'node/b-0\nnode/b-1');

  // A Deployment whose pods tolerate unreachable for 5 s, placed on a's nodes by a preference.
  const deploy = `apiVersion: apps/v1
kind: Deployment
metadata: {name: mover}
spec:
  replicas: 2
  selector: {matchLabels: {app: mover}}
  template:
    metadata: {labels: {app: mover}}
    spec:
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference: {matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [a-0, a-1]}]}
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
      containers: [{name: app, image: nginx}]
`;
  assert.equal(srv.kubectl(['apply', '-f', '-'], { input: deploy }).code, 0);
  await eventually(() => srv.kubectl(['get', 'deploy', 'mover', '-o', 'jsonpath={.status.readyReplicas}']).stdout === '2', 30_000, 'mover ready');
  assert.match(srv.kubectl(['get', 'pods', '-l', 'app=mover', '-o', 'jsonpath={.items[*].spec.nodeName}']).stdout, /^a-\d a-\d$/);

  for (const [name, node] of [['pa0', 'a-0'], ['pa1', 'a-1'], ['pb0', 'b-0']]) {
    const r = srv.kubectl(['apply', '-f', '-'], { input: podYaml(name!, node!) });
    assert.equal(r.code, 0, r.stderr);
  }
  await eventually(() => {
    const ps = pods();
    return ps.length === 5 && ps.every((p) => p.status.phase === 'Running' && p.status.podIP);
  }, 20_000, 'pods Running');

  agentA.kill('SIGKILL');
  const killed = Date.now();
  await eventually(() => nodes().filter((n) => n.metadata.name.startsWith('a-')).every((n) => ready(n)?.status === 'Unknown'), 60_000, 'a-* nodes NotReady');
  const notReadyAfter = Date.now() - killed;
  // The last renewal was at most 10 s before the kill; the grace period is 40 s.
  assert.ok(notReadyAfter >= 25_000 && notReadyAfter <= 55_000, `NotReady after ${notReadyAfter} ms`);
  const down = nodes().find((n) => n.metadata.name === 'a-0')!;
  assert.equal(ready(down)?.reason, 'NodeStatusUnknown');
  assert.equal(ready(down)?.message, 'Kubelet stopped posting node status.');
  assert.deepEqual(down.spec.taints?.map((t) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  assert.match(srv.kubectl(['get', 'nodes', 'a-1', '--no-headers']).stdout, /^a-1\s+NotReady\s/);
  assert.ok(nodes().filter((n) => n.metadata.name.startsWith('b-')).every((n) => ready(n)?.status === 'True'), 'b-* nodes stay Ready');

  // Pods tolerating unreachable for 5 s are evicted then (they stay Terminating: no kubelet
  // confirms on a dead node, as upstream); the pod on b is untouched.
  const marked = Date.now();
  await eventually(() => pods().filter((p) => p.spec.nodeName.startsWith('a-')).every((p) => p.metadata.deletionTimestamp), 15_000, 'pods on a-* evicted');
  assert.ok(Date.now() - marked >= 3_000, `evicted ${Date.now() - marked} ms after NotReady, before the 5 s toleration`);
  assert.equal(pods().find((p) => p.metadata.name === 'pb0')?.metadata.deletionTimestamp, undefined);
  const events = srv.kubectl(['get', 'events', '--field-selector', 'reason=TaintManagerEviction', '-o', 'jsonpath={.items[*].message}']).stdout;
  assert.match(events, /Marking for deletion Pod default\/pa0/);
  // The Deployment's evicted pods are replaced on b's nodes.
  await eventually(() => {
    const running = pods().filter((p) => p.metadata.name.startsWith('mover-') && !p.metadata.deletionTimestamp && p.status.phase === 'Running');
    return running.length === 2 && running.every((p) => p.spec.nodeName.startsWith('b-'));
  }, 30_000, 'mover pods recreated on b-* nodes');
});
