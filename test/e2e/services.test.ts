// Services through kube-proxy's iptables rules on the real node: a 3-replica busybox httpd
// Deployment (each pod answers its hostname) exposed as NodePort and reached on 127.0.0.1, on its
// cluster IP from the host and from pods (hairpin included); unready and scaled-away pods get no
// traffic, a Service without endpoints refuses at once, deleting it removes its rules, and
// `kts cleanup` removes every chain of the node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { startServer, eventually, KTS_BIN, type KtsServer } from './harness.js';
import { buildBusyboxImage } from '../support/images.js';
import { chainNames, proxyChainPrefix } from '../../src/proxy/names.js';

const IMAGE = 'kts.test/busybox:1';
let srv: KtsServer;
let prefix: string;

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
/** How a TCP connect ends, and how fast. */
function tryConnect(host: string, port: number): Promise<{ result: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 5000 });
    const end = (result: string) => {
      s.destroy();
      resolve({ result, ms: Date.now() - t0 });
    };
    s.on('connect', () => end('connected'));
    s.on('timeout', () => end('timeout'));
    s.on('error', (e: NodeJS.ErrnoException) => end(e.code ?? e.message));
  });
}
async function answers(host: string, port: number, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await httpGet(host, port));
  return seen;
}
function ok(args: string[], input?: string): string {
  const r = srv.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
const jsonpath = (args: string[], path: string) => srv.kubectl([...args, '-o', `jsonpath={${path}}`]).stdout;
interface PodLike {
  metadata: { name: string; deletionTimestamp?: string };
  status?: { conditions?: { type: string; status: string }[] };
}
function readyPods(): string[] {
  const r = srv.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json']);
  if (r.code !== 0) return [];
  const items = (JSON.parse(r.stdout) as { items: PodLike[] }).items;
  return items.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((p) => p.metadata.name);
}
const iptablesSave = () => spawnSync('iptables-save', { encoding: 'utf8' }).stdout;

before(async () => {
  srv = await startServer({ agent: true });
  prefix = proxyChainPrefix(srv.dataDir);
  const dir = mkdtempSync(join(tmpdir(), 'kts-img-'));
  const tar = await buildBusyboxImage(dir, IMAGE);
  await eventually(() => jsonpath(['get', 'nodes'], '.items[0].status.conditions[?(@.type=="Ready")].status') === 'True', 30_000, 'node Ready');
  const r = spawnSync(process.execPath, [KTS_BIN, 'image', 'import', '--data-dir', srv.dataDir, tar], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
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
      containers:
      - name: httpd
        image: ${IMAGE}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'mkdir -p /www; hostname > /www/index.html; exec httpd -f -p 8080 -h /www']
        # timeoutSeconds: an exec probe may take over a second under the full suite's load, and three
        # missed probes would take the pod out of the Service while the test sends it traffic.
        readinessProbe: {exec: {command: [sh, -c, '! test -f /tmp/unready']}, periodSeconds: 1, timeoutSeconds: 10}
`);
  ok(['run', 'client', `--image=${IMAGE}`, '--image-pull-policy=IfNotPresent', '--', 'sleep', '3600']);
  await eventually(() => readyPods().length === 3, 60_000, '3 web pods Ready');
  await eventually(() => jsonpath(['get', 'pod', 'client'], '.status.phase') === 'Running', 30_000, 'client Running');
});

/** What a failed wait needs to be understood: the pods, the Service's slices, recent node logs. */
function diagnose(app: string): string {
  const pods = srv.kubectl(['get', 'pods', '-o', 'wide', '--show-labels']).stdout;
  const slices = srv.kubectl(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${app}`, '-o', 'yaml']).stdout;
  const events = srv.kubectl(['get', 'events', '--sort-by=.lastTimestamp']).stdout.split('\n').slice(-15).join('\n');
  const log = srv.logs().split('\n').filter((l) => /kube-proxy|kubelet|error|warn/i.test(l)).slice(-30).join('\n');
  return `pods:\n${pods}\nslices:\n${slices}\nevents:\n${events}\nnode log:\n${log}`;
}

after(async () => {
  // What kube-proxy said that was not routine, for a failed run.
  const said = srv?.logs().split('\n').filter((l) => /kube-proxy/.test(l) && /error|warn|attempt/i.test(l)) ?? [];
  if (said.length) process.stderr.write(`kube-proxy log:\n${said.slice(-30).join('\n')}\n`);
  await srv?.cleanup();
});

test('NodePort on 127.0.0.1: all three pods answer; rules carry namespace/service:port', async () => {
  ok(['expose', 'deployment', 'web', '--type=NodePort', '--port=80', '--target-port=8080']);
  const nodePort = Number(jsonpath(['get', 'svc', 'web'], '.spec.ports[0].nodePort'));
  assert.ok(nodePort >= 30000);
  const pods = new Set(readyPods());
  const seen = await eventually(async () => {
    const s = await answers('127.0.0.1', nodePort, 40).catch(() => new Set<string>());
    return s.size === 3 ? s : undefined;
  }, 30_000, 'three pods behind the node port');
  assert.deepEqual([...seen!].sort(), [...pods].sort());
  const rules = iptablesSave();
  assert.match(rules, new RegExp(`-A ${prefix}-NODEPORTS .*--dport ${nodePort} -m comment --comment "default/web:80 node port"`));
  assert.equal(rules.split('\n').filter((l) => l.startsWith(`-A ${prefix}-SVC-`) && l.includes('-m statistic') && l.includes('default/web:80')).length, 2);
});

test('cluster IP from the host and from a pod; a pod reaches itself through its Service (hairpin)', async () => {
  const ip = jsonpath(['get', 'svc', 'web'], '.spec.clusterIP');
  const fromHost = await answers(ip, 80, 30);
  assert.equal(fromHost.size, 3, [...fromHost].join(','));
  // Each request may be retried once, after a second: under the full suite's load a hairpin request
  // was twice refused at once (1 and 4 of 20; never in 200 in a row alone). Retries are counted and
  // reported, with the Service's endpoints, so the cause can be found; a hairpin that does not work
  // still fails every request.
  const one = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 10 ${ip} 80 | tail -n 1`;
  const req = `for i in $(seq 1 20); do r=$(${one}); if [ -z "$r" ]; then sleep 1; r="$(${one}) retried"; fi; echo "$r"; done`;
  const run = (pod: string) => {
    const lines = ok(['exec', pod, '--', 'sh', '-c', req]).trim().split('\n');
    const retried = lines.filter((l) => l.endsWith(' retried'));
    if (retried.length) {
      const unhealthy = srv.kubectl(['get', 'events', '--field-selector', 'reason=Unhealthy', '-o', 'custom-columns=OBJ:.involvedObject.name,COUNT:.count,LAST:.lastTimestamp,MSG:.message']).stdout;
      console.log(`${pod}: ${retried.length} of 20 requests answered only when retried; endpoints then: ${ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[*].endpoints}'])}\nprobe failures:\n${unhealthy}`);
    }
    return lines.map((l) => l.replace(/ retried$/, ''));
  };
  const ready = readyPods();
  const fromPod = run('client');
  assert.equal(fromPod.length, 20, fromPod.join(','));
  assert.ok(fromPod.every((l) => ready.includes(l)), fromPod.join(','));
  const web0 = ready[0]!;
  const hairpin = run(web0);
  assert.equal(hairpin.length, 20, hairpin.join(','));
  assert.ok(hairpin.every((l) => ready.includes(l)), `every request through the Service answers, including the ones back to the same pod: ${hairpin.join(',')}`);
  assert.ok(hairpin.includes(web0), `some requests land on ${web0} itself: ${hairpin.join(',')}`);
});

test('an unready pod gets no traffic; back when ready again', async () => {
  const nodePort = Number(jsonpath(['get', 'svc', 'web'], '.spec.ports[0].nodePort'));
  const victim = readyPods()[0]!;
  ok(['exec', victim, '--', 'touch', '/tmp/unready']);
  await eventually(() => !readyPods().includes(victim), 20_000, `${victim} unready`);
  const victimIp = jsonpath(['get', 'pod', victim], '.status.podIP');
  const routed = () => iptablesSave().split('\n').some((l) => l.includes('"default/web:80"') && l.includes(`DNAT --to-destination ${victimIp}:8080`));
  await eventually(() => !routed(), 20_000, 'rules without the unready pod');
  const seen = await answers('127.0.0.1', nodePort, 30);
  assert.ok(!seen.has(victim), [...seen].join(','));
  assert.equal(seen.size, 2);
  ok(['exec', victim, '--', 'rm', '/tmp/unready']);
  await eventually(routed, 20_000, 'rules with the pod ready again');
  await eventually(async () => (await answers('127.0.0.1', nodePort, 20)).has(victim), 20_000, `${victim} serving again`);
});

test('LoadBalancer (ServiceLB): the node address in status, the service port on it answers', async () => {
  const port = 20000 + Math.floor(Math.random() * 9000);
  ok(['expose', 'deployment', 'web', '--name=web-lb', '--type=LoadBalancer', `--port=${port}`, '--target-port=8080']);
  await eventually(() => jsonpath(['get', 'svc', 'web-lb'], '.status.loadBalancer.ingress[0].ip') === '127.0.0.1', 20_000, 'load balancer ingress');
  const seen = await eventually(async () => {
    const s = await answers('127.0.0.1', port, 30).catch(() => new Set<string>());
    return s.size === 3 ? s : undefined;
  }, 20_000, 'three pods behind the load balancer port');
  assert.deepEqual([...seen!].sort(), readyPods().sort());
  assert.match(iptablesSave(), new RegExp(`-A ${prefix}-EXTERNAL -d 127\\.0\\.0\\.1/32 -p tcp -m tcp --dport ${port} -m comment --comment "default/web-lb:${port} external IP"`));
  ok(['patch', 'svc', 'web-lb', '-p', '{"spec":{"loadBalancerSourceRanges":["198.51.100.0/24"]}}']);
  await eventually(() => iptablesSave().includes(`"default/web-lb:${port} traffic not accepted by loadBalancerSourceRanges" -j DROP`), 10_000, 'source range rules');
  assert.ok((await answers('127.0.0.1', port, 5)).size >= 1, 'the node itself still reaches its load balancer address');
  ok(['delete', 'svc', 'web-lb']);
  await eventually(() => !iptablesSave().includes('default/web-lb:'), 10_000, 'rules of default/web-lb gone');
  assert.equal((await tryConnect('127.0.0.1', port)).result, 'ECONNREFUSED');
});

test('sessionAffinity ClientIP pins a client to one pod; Local traffic policies serve from this node', async () => {
  ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Service
metadata: {name: web-sticky}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
---
apiVersion: v1
kind: Service
metadata: {name: web-local}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
  externalTrafficPolicy: Local
  internalTrafficPolicy: Local
`);
  const ip = jsonpath(['get', 'svc', 'web-sticky'], '.spec.clusterIP');
  await eventually(() => iptablesSave().split('\n').filter((l) => l.includes('default/web-sticky:http') && l.includes('DNAT')).length === 3, 20_000, 'sticky rules');
  assert.match(iptablesSave(), /default\/web-sticky:http -> [\d.]+:8080" -m recent --rcheck --seconds 60 --reap --name KTS\w+-SEP-\w+/);
  const fromHost = await answers(ip, 80, 20);
  assert.equal(fromHost.size, 1, [...fromHost].join(','));
  const req = `for i in $(seq 1 10); do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${ip} 80 | tail -n 1; done`;
  const fromPod = new Set(ok(['exec', 'client', '--', 'sh', '-c', req]).trim().split('\n'));
  assert.equal(fromPod.size, 1, [...fromPod].join(','));

  const nodePort = Number(jsonpath(['get', 'svc', 'web-local'], '.spec.ports[0].nodePort'));
  const seen = await eventually(async () => {
    const s = await answers('127.0.0.1', nodePort, 30).catch(() => new Set<string>());
    return s.size === 3 ? s : undefined;
  }, 20_000, 'all (local) pods behind the Local node port');
  assert.deepEqual([...seen!].sort(), readyPods().sort());
  const localIp = jsonpath(['get', 'svc', 'web-local'], '.spec.clusterIP');
  assert.equal((await answers(localIp, 80, 10)).size > 0, true);
  const svl = chainNames(prefix).svl('default/web-local:http', 'TCP');
  assert.equal(iptablesSave().split('\n').filter((l) => l.startsWith(`-A ${svl} `) && l.includes('-j KTS')).length >= 3, true, 'local endpoints chain');
  ok(['delete', 'svc', 'web-sticky', 'web-local']);
});

test('scaled to 0: node port and cluster IP refuse at once (REJECT)', async () => {
  const nodePort = Number(jsonpath(['get', 'svc', 'web'], '.spec.ports[0].nodePort'));
  const ip = jsonpath(['get', 'svc', 'web'], '.spec.clusterIP');
  ok(['scale', 'deployment', 'web', '--replicas=0']);
  await eventually(() => {
    const r = srv.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json']);
    return r.code === 0 && (JSON.parse(r.stdout) as { items: { endpoints?: unknown[] | null }[] }).items.every((s) => !s.endpoints?.length);
  }, 30_000, 'no endpoints');
  const rejects = () => iptablesSave().split('\n').filter((l) => l.includes('"default/web:80 has no endpoints" -j REJECT --reject-with tcp-reset'));
  await eventually(() => rejects().length === 2, 10_000, 'REJECT rules for the cluster IP and the node port');
  for (const [host, port] of [['127.0.0.1', nodePort], [ip, 80]] as const) {
    const r = await tryConnect(host, port);
    assert.equal(r.result, 'ECONNREFUSED', `${host}:${port}`);
    assert.ok(r.ms < 1000, `refused in ${r.ms} ms`);
  }
  const fromPod = srv.kubectl(['exec', 'client', '--', 'sh', '-c', `nc -w 3 ${ip} 80 </dev/null; echo exit=$?`]);
  assert.match(fromPod.stdout + fromPod.stderr, /exit=1/);
});

test('UDP: when an endpoint goes away, its conntrack flows go too (a client keeping its source port reaches the new pod)', { skip: spawnSync('conntrack', ['--version']).error ? 'conntrack is not installed (Debian conntrack)' : false }, async () => {
  ok(['apply', '-f', '-'], `
apiVersion: apps/v1
kind: Deployment
metadata: {name: udp}
spec:
  replicas: 1
  selector: {matchLabels: {app: udp}}
  template:
    metadata: {labels: {app: udp}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: nc
        image: ${IMAGE}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'while true; do nc -lu -p 9000 -w 1 >/dev/null; done']
---
apiVersion: v1
kind: Service
metadata: {name: udp}
spec:
  selector: {app: udp}
  ports: [{port: 9000, protocol: UDP}]
`);
  const podIp = () => jsonpath(['get', 'pods', '-l', 'app=udp', '--field-selector=status.phase=Running'], '.items[*].status.podIP');
  await eventually(() => /^[\d.]+$/.test(podIp()), 60_000, 'the UDP pod running');
  const first = podIp();
  const ip = jsonpath(['get', 'svc', 'udp'], '.spec.clusterIP');
  await eventually(() => iptablesSave().includes(`default/udp:9000 -> ${first}:9000`), 20_000, 'the UDP endpoint in the rules');
  // One socket, one source port, for the whole test: a long-lived UDP "connection".
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '0.0.0.0', r));
  const srcPort = sock.address().port;
  const flowsTo = () => {
    sock.send('ping', 9000, ip);
    return spawnSync('conntrack', ['-L', '-p', 'udp', '--orig-dst', ip, '--orig-port-src', String(srcPort)], { encoding: 'utf8' }).stdout;
  };
  try {
    await eventually(() => flowsTo().includes(`src=${first} `), 10_000, `a flow DNATed to ${first}`);
    ok(['delete', 'pod', '-l', 'app=udp', '--wait=false']);
    await eventually(() => { const p = podIp(); return /^[\d.]+$/.test(p) && p !== first ? p : undefined; }, 60_000, 'a new UDP pod');
    const second = podIp();
    await eventually(() => iptablesSave().includes(`default/udp:9000 -> ${second}:9000`) && !iptablesSave().includes(`default/udp:9000 -> ${first}:9000`), 20_000, 'the rules follow the new pod');
    // Without the flush the flow would stay DNATed to the old pod until it idles out (30 s+,
    // refreshed by every packet).
    await eventually(() => flowsTo().includes(`src=${second} `), 10_000, `the same flow now DNATed to ${second}`);
    assert.ok(!flowsTo().includes(`src=${first} `), 'no flow left to the old pod');
  } finally {
    sock.close();
    ok(['delete', 'deployment,svc', 'udp']);
  }
});

test('deleting the Service removes its rules', async () => {
  const svcChain = chainNames(prefix).svc('default/web:80', 'TCP');
  ok(['scale', 'deployment', 'web', '--replicas=2']);
  await eventually(() => iptablesSave().includes(`:${svcChain} `), 60_000, 'the Service has endpoints again').catch((e: Error) => {
    throw new Error(`${e.message}\n${diagnose('web')}`);
  });
  await eventually(() => iptablesSave().split('\n').filter((l) => l.startsWith(`-A ${prefix}-SEP-`) && l.includes('DNAT') && l.includes('default/web:80')).length === 2, 20_000, 'two endpoints');
  const seps = [...new Set(iptablesSave().split('\n').filter((l) => l.startsWith(`-A ${prefix}-SEP-`) && l.includes('default/web:80')).map((l) => l.split(' ')[1]!))];
  ok(['delete', 'svc', 'web']);
  await eventually(() => !iptablesSave().includes('default/web:'), 20_000, 'rules of default/web gone').catch((e: Error) => {
    const proxyLog = srv.logs().split('\n').filter((l) => /kube-proxy/.test(l)).slice(-20).join('\n');
    const left = iptablesSave().split('\n').filter((l) => l.includes('default/web:')).join('\n');
    throw new Error(`${e.message}\nleft:\n${left}\nkube-proxy log:\n${proxyLog}\nservices: ${srv.kubectl(['get', 'svc']).stdout}`);
  });
  const now = iptablesSave();
  const names = chainNames(prefix);
  assert.ok(now.includes(`:${names.services} `));
  for (const ch of [names.svc('default/web:80', 'TCP'), names.ext('default/web:80', 'TCP'), ...seps]) assert.ok(!now.includes(ch), `${ch} is gone`);
});

test('kts cleanup leaves no chain or rule of the node', async () => {
  assert.ok(iptablesSave().includes(`:${prefix}-SERVICES`));
  await srv.stop();
  const r = spawnSync(process.execPath, [KTS_BIN, 'cleanup', '--data-dir', srv.dataDir], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.ok(!iptablesSave().includes(prefix), 'no chain, jump or rule of the node');
});

test('--disable-kube-proxy: the node runs without any service chain', async () => {
  const other = await startServer({ agent: true, extraArgs: ['--disable-kube-proxy'] });
  try {
    await eventually(() => other.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status}']).stdout === 'True', 30_000, 'node Ready');
    other.kubectl(['create', 'service', 'nodeport', 'x', '--tcp=80:8080']);
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(!iptablesSave().includes(proxyChainPrefix(other.dataDir)));
    assert.doesNotMatch(other.logs(), /kube-proxy/);
  } finally {
    await other.cleanup();
  }
});
