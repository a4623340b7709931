// Three real nodes on one machine: `kts server` (with its node) on a bridge this test makes, and
// two `kts agent`s started with the printed join command (bootstrap token + CA hash), each in its
// own network namespace joined to that bridge by a veth pair, each with its own data dir and
// containerd. Pods on different nodes reach each other through the
// host-gw routes, a Service answers from every node (ClusterIP from pods, NodePort on each
// node's address), and cluster DNS answers pods on every node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, rmSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { request, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer, eventually, KTS_BIN, type KtsServer } from './harness.js';
import { buildBusyboxImage } from '../support/images.js';

const IMAGE = 'kts.test/busybox:1';
// kubectl (a static Go binary: client-go's in-cluster configuration) in a busybox image.
const KUBECTL_IMAGE = 'kts.test/kubectl:1';
const tag = Math.random().toString(36).slice(2, 6);
const net = `10.252.${10 + Math.floor(Math.random() * 240)}`;
const bridge = `kmn${tag}`;
let srv: KtsServer;
const agents: { name: string; ip: string; dataDir: string; holder: ChildProcess; proc?: ChildProcess; log: string }[] = [];
const base = mkdtempSync(join(tmpdir(), 'kts-multinode-'));

function sh(args: string[]): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
const nsenter = (pid: number) => ['nsenter', `--net=/proc/${pid}/ns/net`];
function ok(args: string[], input?: string): string {
  const r = srv.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: 3000, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  // Pod IPs are routed from the host here: a cluster CIDR outside the range the other test
  // clusters pick from (harness.ts), so a concurrent cluster's pod cannot answer for ours.
  sh(['ip', 'link', 'add', bridge, 'type', 'bridge']);
  sh(['ip', 'addr', 'add', `${net}.1/24`, 'dev', bridge]);
  sh(['ip', 'link', 'set', bridge, 'up']);
  srv = await startServer({ agent: true, extraArgs: ['--node-ip', `${net}.1`, '--bind-address', '0.0.0.0', '--advertise-address', `${net}.1`, '--node-name', `mn-${tag}-1`, '--cluster-dns-port', '0', '--cluster-cidr', '10.251.0.0/16'] });
  const tar = await buildBusyboxImage(base, IMAGE);
  sh([process.execPath, KTS_BIN, 'image', 'import', '--data-dir', srv.dataDir, tar]);
  const kubectlTar = await buildBusyboxImage(join(base), KUBECTL_IMAGE, { kubectl: realpathSync(sh(['sh', '-c', 'command -v kubectl']).trim()) });
  sh([process.execPath, KTS_BIN, 'image', 'import', '--data-dir', srv.dataDir, kubectlTar]);
  // The join command as a user gets it: a bootstrap token and the CA's hash.
  const join1 = sh([process.execPath, KTS_BIN, 'token', 'create', '--print-join-command', '--data-dir', srv.dataDir]).trim().split('\n').pop()!;
  assert.match(join1, new RegExp(`^kts agent --server https://${net.replace(/\./g, '\\.')}\\.1:${srv.port} --token \\S+ --ca-cert-hash sha256:[0-9a-f]{64}$`));
  const joinArgs = join1.split(/\s+/).slice(2);
  for (const n of [2, 3]) {
    const holder = spawn('unshare', ['--net', 'sleep', '100000'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const pid = holder.pid!;
    const ip = `${net}.${n}`;
    sh(['ip', 'link', 'add', `${bridge}h${n}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(pid)]);
    sh(['ip', 'link', 'set', `${bridge}h${n}`, 'master', bridge, 'up']);
    for (const a of [['addr', 'add', `${ip}/24`, 'dev', 'eth0'], ['link', 'set', 'eth0', 'up'], ['link', 'set', 'lo', 'up'], ['route', 'add', 'default', 'via', `${net}.1`]]) sh([...nsenter(pid), 'ip', ...a]);
    const dataDir = join(base, `agent${n}`);
    // Archives in <data-dir>/agent/images are imported when the agent's containerd starts.
    mkdirSync(join(dataDir, 'agent', 'images'), { recursive: true });
    copyFileSync(tar, join(dataDir, 'agent', 'images', 'busybox.tar'));
    if (n === 2) copyFileSync(kubectlTar, join(dataDir, 'agent', 'images', 'kubectl.tar'));
    const a: (typeof agents)[number] = { name: `mn-${tag}-${n}`, ip, dataDir, holder, log: '' };
    agents.push(a);
    const proc = spawn(nsenter(pid)[0]!, [...nsenter(pid).slice(1), process.execPath, KTS_BIN, 'agent', ...joinArgs, '--data-dir', dataDir, '--node-ip', ip, '--node-name', a.name, '--kubelet-port', '10250'], { stdio: ['ignore', 'pipe', 'pipe'] });
    a.proc = proc;
    proc.stdout!.on('data', (d) => (a.log += d));
    proc.stderr!.on('data', (d) => (a.log += d));
  }
  await eventually(() => {
    const r = srv.kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
    return r.stdout.trim().split('\n').filter((s) => s === 'True').length === 3;
  }, 120_000, 'three nodes Ready').catch((e: Error) => {
    throw new Error(`${e.message}\n${agents.map((a) => `--- ${a.name}\n${a.log.slice(-3000)}`).join('\n')}`);
  });
  // The server has its own service CIDR: the agents take the DNS address from it, unflagged.
  const dnsIp = srv.kubectl(['get', 'svc', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}']).stdout;
  assert.notEqual(dnsIp, '10.43.0.10');
  for (const a of agents) assert.match(a.log, new RegExp(`cluster DNS for pods: ${dnsIp.replace(/\./g, '\\.')} \\(from the kube-dns Service\\)`));
});

after(async () => {
  for (const a of agents) {
    a.proc?.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    // The agent's bridge, rules and routes live in its namespace: clean up from inside it.
    if (a.holder.pid) spawnSync('nsenter', [`--net=/proc/${a.holder.pid}/ns/net`, process.execPath, KTS_BIN, 'cleanup', '--data-dir', a.dataDir], { encoding: 'utf8', timeout: 120_000 });
    a.holder.kill('SIGKILL');
  }
  await srv?.cleanup();
  spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  rmSync(base, { recursive: true, force: true });
});

test('every node routes the other nodes\' pod CIDRs via their addresses (host-gw)', async () => {
  const cidrs = new Map(ok(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR}{"\\n"}{end}']).trim().split('\n').map((l) => l.split('=') as [string, string]));
  assert.equal(cidrs.size, 3);
  const ipOf = (name: string) => (name.endsWith('-1') ? `${net}.1` : agents.find((a) => a.name === name)!.ip);
  const routesIn = (prefix: string[]) => spawnSync(prefix[0] ?? 'ip', [...prefix.slice(1), ...(prefix.length ? ['ip'] : []), 'route', 'show', 'proto', '75'], { encoding: 'utf8' }).stdout;
  for (const [self, prefix] of [[`mn-${tag}-1`, []], ...agents.map((a) => [a.name, nsenter(a.holder.pid!)] as const)] as [string, string[]][]) {
    await eventually(() => {
      const routes = routesIn(prefix);
      return [...cidrs].filter(([n]) => n !== self).every(([n, c]) => routes.includes(`${c} via ${ipOf(n)} `));
    }, 20_000, `routes on ${self}`);
  }
});

test('a Deployment spread over the three nodes: pod IPs across nodes, ClusterIP from pods on each node, NodePort on each node, DNS everywhere', async () => {
  ok(['apply', '-f', '-'], `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
      containers:
      - name: httpd
        image: ${IMAGE}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'mkdir -p /www/cgi-bin; hostname > /www/index.html; printf "#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho \\$REMOTE_ADDR\\n" > /www/cgi-bin/ip; chmod +x /www/cgi-bin/ip; exec httpd -f -p 8080 -h /www']
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`);
  for (const a of [`mn-${tag}-1`, ...agents.map((x) => x.name)]) {
    ok(['run', `client-${a.slice(-1)}`, `--image=${IMAGE}`, '--image-pull-policy=IfNotPresent', `--overrides={"spec":{"nodeName":"${a}"}}`, '--', 'sleep', '3600']);
  }
  await eventually(() => ok(['get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}']) === '3', 120_000, 'web ready');
  await eventually(() => ok(['get', 'pods', '-l', 'run', '-o', 'jsonpath={.items[*].status.phase}']).split(' ').filter((p) => p === 'Running').length === 3, 90_000, 'clients running').catch((e: Error) => {
    const pods = srv.kubectl(['get', 'pods', '-o', 'wide']).stdout;
    const events = srv.kubectl(['get', 'events', '--sort-by=.lastTimestamp']).stdout.split('\n').slice(-25).join('\n');
    throw new Error(`${e.message}\npods:\n${pods}\nevents:\n${events}\n${agents.map((a) => `--- ${a.name}\n${a.log.slice(-2000)}`).join('\n')}`);
  });
  const pods = JSON.parse(ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { podIP: string } }[] };
  assert.equal(new Set(pods.items.map((p) => p.spec.nodeName)).size, 3, 'one web pod per node');
  // From the server's host: every pod IP, wherever it runs.
  for (const p of pods.items) assert.equal(await eventually(() => httpGet(p.status.podIP, 8080).catch(() => undefined), 20_000, `pod ${p.metadata.name}`), p.metadata.name);
  const clusterIp = ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
  const nodePort = Number(ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
  const names = new Set(pods.items.map((p) => p.metadata.name));
  for (const n of ['1', '2', '3']) {
    // Pod to pod across nodes, and through the ClusterIP: all three answer from each node.
    const seen = new Set<string>();
    for (const p of pods.items) seen.add(ok(['exec', `client-${n}`, '--', 'sh', '-c', `echo -e 'GET / HTTP/1.0\\r\\n\\r' | nc -w 3 ${p.status.podIP} 8080 | tail -1`]).trim());
    assert.deepEqual(seen, names, `client-${n} reaches every pod IP`);
    await eventually(() => {
      for (let i = 0; i < 6; i++) seen.add(ok(['exec', `client-${n}`, '--', 'sh', '-c', `echo -e 'GET / HTTP/1.0\\r\\n\\r' | nc -w 3 ${clusterIp} 80 | tail -1`]).trim());
      return seen.size === 3;
    }, 30_000, `client-${n} through the ClusterIP`);
    const dns = ok(['exec', `client-${n}`, '--', 'nslookup', 'web.default.svc.cluster.local']);
    assert.ok(dns.includes(clusterIp), `DNS from client-${n}: ${dns}`);
  }
  // No NAT between pods on different nodes: a web pod sees the client pod's own address.
  const clientIps = new Map(ok(['get', 'pods', '-l', 'run', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.podIP}{"\\n"}{end}']).trim().split('\n').map((l) => l.split('=') as [string, string]));
  for (const p of pods.items) {
    for (const [client, ip] of clientIps) {
      const seenAs = ok(['exec', client, '--', 'sh', '-c', `echo -e 'GET /cgi-bin/ip HTTP/1.0\\r\\n\\r' | nc -w 3 ${p.status.podIP} 8080 | tail -1`]).trim().replace(/^\[(::ffff:)?|\]$/g, '');
      assert.equal(seenAs, ip, `${client} as seen by ${p.metadata.name} on ${p.spec.nodeName}`);
    }
  }
  // Traffic leaving the cluster is masqueraded: a server on the host's bridge address sees the
  // agent node's address, not the pod's.
  const seen: string[] = [];
  const outside = createServer((req, res) => {
    seen.push(req.socket.remoteAddress ?? '');
    res.end('ok');
  });
  await new Promise<void>((r) => outside.listen(0, `${net}.1`, r));
  try {
    const port = (outside.address() as AddressInfo).port;
    // kubectl in the background: this process's event loop must stay free to answer.
    const c = srv.kubectlBg(['exec', 'client-2', '--', 'sh', '-c', `echo -e 'GET / HTTP/1.0\\r\\n\\r' | nc -w 3 ${net}.1 ${port}`]);
    const code = await new Promise((r) => c.once('exit', r));
    assert.equal(code, 0);
    assert.deepEqual(seen.map((a) => a.replace(/^::ffff:/, '')), [agents[0]!.ip]);
  } finally {
    outside.close();
  }
  // NodePort on each node's address, from the host: every pod answers through each.
  for (const ip of [`${net}.1`, ...agents.map((a) => a.ip)]) {
    const seen = new Set<string>();
    await eventually(async () => {
      for (let i = 0; i < 6; i++) seen.add(await httpGet(ip, nodePort).catch(() => ''));
      seen.delete('');
      return seen.size === 3;
    }, 30_000, `NodePort on ${ip}`);
  }
});

test('pods use the API in-cluster through the kubernetes Service, as client-go does (token, CA, KUBERNETES_SERVICE_HOST)', async () => {
  ok(['apply', '-f', '-'], `
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-reads-pods}
subjects: [{kind: ServiceAccount, name: reader, namespace: default}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
`);
  // On the server's own node and on a joined node (its own network namespace and kube-proxy).
  const nodes = [`mn-${tag}-1`, `mn-${tag}-2`];
  for (const [i, node] of nodes.entries()) {
    ok(['run', `incluster-${i}`, `--image=${KUBECTL_IMAGE}`, '--image-pull-policy=IfNotPresent', '--env=HOME=/tmp', `--overrides={"spec":{"nodeName":"${node}","serviceAccountName":"reader"}}`, '--', 'sleep', '3600']);
  }
  await eventually(() => ok(['get', 'pods', 'incluster-0', 'incluster-1', '-o', 'jsonpath={.items[*].status.phase}']) === 'Running Running', 90_000, 'in-cluster pods running');
  for (const i of [0, 1]) {
    // No kubeconfig: kubectl falls back to the in-cluster configuration and verifies the server's
    // certificate for the Service's ClusterIP with the mounted CA.
    const env = ok(['exec', `incluster-${i}`, '--', 'sh', '-c', 'echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT']).trim();
    assert.equal(env, `${ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])}:443`);
    const names = await eventually(() => {
      const r = srv.kubectl(['exec', `incluster-${i}`, '--', 'kubectl', 'get', 'pods', '-o', 'name']);
      return r.code === 0 ? r.stdout : undefined;
    }, 30_000, `kubectl in incluster-${i}`) ?? '';
    assert.match(names, /^pod\/incluster-0$/m);
    assert.match(names, /^pod\/incluster-1$/m);
    const denied = srv.kubectl(['exec', `incluster-${i}`, '--', 'kubectl', 'get', 'secrets']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /User "system:serviceaccount:default:reader" cannot list resource "secrets" in API group "" in the namespace "default"/);
  }
});
