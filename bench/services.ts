// Services benchmark (issue 6), with wrk, side by side in one run: the same HTTP requests sent
// straight to a pod's IP and through its Service, from where each path is used —
// - ClusterIP: from a client pod (wrk runs in the pod's network namespace);
// - NodePort and ingress: from outside the node (wrk in a network namespace this benchmark makes,
//   joined to the host by a veth pair, as another machine on the node's network would be);
// - NodePort on 127.0.0.1 from the node itself (informational: loopback needs route_localnet and
//   SNAT on every connection).
// One replica, so every path ends at the same server. Two servers: a keep-alive one
// (bench/hello-server.c, built here with gcc -static), as real web servers are, and busybox httpd,
// which closes every connection (each request pays for a new connection and a fork).
// Needs root (the node), wrk and gcc. Run alone: node --import tsx bench/services.ts
// (KTS_BENCH_INGRESS_PROXY=builtin measures the built-in Node proxy instead of nginx).
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage } from '../test/support/images.js';

const root = new URL('..', import.meta.url).pathname;
const IMAGE = 'kts.bench/busybox:1';
const ROUNDS = Number(process.env.KTS_BENCH_SVC_ROUNDS ?? 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests/s reported by wrk, run with `prefix` (a netns entry command). */
function wrk(prefix: string[], url: string, headers: string[] = []): number {
  const args = [...prefix, 'wrk', '-t2', '-c16', '-d4s', ...headers.flatMap((h) => ['-H', h]), url];
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 60_000 });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk ${url}: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

interface Comparison {
  name: string;
  target: string;
  /** wrk prefix (where the client runs), the direct URL, the service URL, extra headers. */
  from: string[];
  direct: string;
  via: string;
  headers?: string[];
}

export async function servicesBench(): Promise<[string, string, string][]> {
  if (process.getuid?.() !== 0) return [['services benchmark', 'skipped (needs root)', '']];
  if (spawnSync('wrk', ['--version']).error) return [['services benchmark', 'skipped (install Debian\'s wrk)', '']];
  if (spawnSync('gcc', ['--version']).error) return [['services benchmark', 'skipped (install gcc and libc6-dev)', '']];
  const base = mkdtempSync(join(tmpdir(), 'kts-bench-svc-'));
  const dataDir = join(base, 'data');
  const netns = `ktsb${process.pid % 100000}`;
  const procs: ChildProcess[] = [];
  let log = '';
  try {
    const server = spawn(process.execPath, [join(root, 'bin', 'kts'), 'server', '--data-dir', dataDir, '--https-listen-port', '0', '--bind-address', '127.0.0.1', '--node-ip', '127.0.0.1', '--kubelet-port', '0', '--cluster-cidr', '10.203.0.0/16', '--node-name', 'bench-svc', '--ingress-http-port', '0', '--ingress-https-port', '0', '--cluster-dns-port', '0', '--ingress-proxy', process.env.KTS_BENCH_INGRESS_PROXY ?? 'auto'], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(server);
    server.stdout!.on('data', (d) => (log += d));
    server.stderr!.on('data', (d) => (log += d));
    for (let i = 0; i < 600 && !/node \S+ registered/.test(log); i++) await sleep(50);
    const kc = join(dataDir, 'admin.kubeconfig');
    if (!existsSync(kc)) throw new Error(`kts server did not start:\n${log}`);
    const env = { ...process.env, KUBECONFIG: kc, HOME: base };
    const k = (args: string[], input?: string) => {
      const r = spawnSync('kubectl', args, { encoding: 'utf8', env, input, timeout: 60_000 });
      if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const helloServer = join(base, 'hello-server');
    const cc = spawnSync('gcc', ['-O2', '-static', '-o', helloServer, join(root, 'bench', 'hello-server.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc hello-server.c: ${cc.stderr}`);
    const tar = await buildBusyboxImage(base, IMAGE, { 'hello-server': helloServer });
    const imp = spawnSync(process.execPath, [join(root, 'bin', 'kts'), 'image', 'import', '--data-dir', dataDir, tar], { encoding: 'utf8' });
    if (imp.status !== 0) throw new Error(`image import: ${imp.stderr}`);
    const marker = String(900000 + (process.pid % 99999));
    k(['run', 'client', `--image=${IMAGE}`, '--', 'sleep', marker]);
    k(['create', 'deployment', 'web', `--image=${IMAGE}`, '--', 'sh', '-c', 'mkdir -p /www; echo hello > /www/index.html; exec httpd -f -p 8080 -h /www']);
    k(['create', 'deployment', 'hello', `--image=${IMAGE}`, '--', 'hello-server', '8080']);
    for (const app of ['web', 'hello']) {
      k(['expose', 'deployment', app, '--port=80', '--target-port=8080', '--type=NodePort']);
      k(['create', 'ingress', app, `--rule=${app}.bench/*=${app}:80`]);
    }
    for (let i = 0; i < 600; i++) {
      const ready = ['web', 'hello'].every((app) => k(['get', 'deployment', app, '-o', 'jsonpath={.status.readyReplicas}']) === '1');
      if (ready && k(['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}']) === 'Running') break;
      await sleep(100);
    }
    // The client pod's network namespace, through its process.
    const pid = spawnSync('pgrep', ['-f', `^sleep ${marker}$`], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
    if (!pid) throw new Error('client pod process not found');
    const inPod = ['nsenter', `--net=/proc/${pid}/ns/net`];
    // "Outside": a network namespace held by a sleeping process, with a veth to the host
    // (10.250.77.1 on the host side). Not `ip netns add`, which turns /run/netns into a shared
    // bind mount for the whole machine.
    const holder = spawn('unshare', ['--net', 'sleep', '100000'], { stdio: 'ignore' });
    procs.push(holder);
    await sleep(200);
    const nsPid = String(holder.pid);
    const inNs = ['nsenter', `--net=/proc/${nsPid}/ns/net`];
    sh('ip', ['link', 'add', `${netns}h`, 'type', 'veth', 'peer', 'name', `${netns}c`]);
    sh('ip', ['link', 'set', `${netns}c`, 'netns', nsPid]);
    sh('ip', ['addr', 'add', '10.250.77.1/30', 'dev', `${netns}h`]);
    sh('ip', ['link', 'set', `${netns}h`, 'up']);
    sh(inNs[0]!, [...inNs.slice(1), 'ip', 'addr', 'add', '10.250.77.2/30', 'dev', `${netns}c`]);
    sh(inNs[0]!, [...inNs.slice(1), 'ip', 'link', 'set', `${netns}c`, 'up']);
    sh(inNs[0]!, [...inNs.slice(1), 'ip', 'link', 'set', 'lo', 'up']);
    sh(inNs[0]!, [...inNs.slice(1), 'ip', 'route', 'add', 'default', 'via', '10.250.77.1']);
    const outside = inNs;
    // wrk against busybox httpd opens thousands of connections a second from one address: let
    // the two clients (this namespace and the bench's own client pod) reuse ports in TIME_WAIT,
    // or later rows measure port exhaustion instead of the path.
    for (const ns of [inNs, inPod]) {
      sh(ns[0]!, [...ns.slice(1), 'sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1']);
      sh(ns[0]!, [...ns.slice(1), 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65000']);
    }
    const ingressPort = /listening on http port (\d+)/.exec(log)?.[1];
    const plane = /data plane: (.*)/.exec(log)?.[1] ?? '?';

    const comparisons: Comparison[] = [];
    for (const [app, label] of [['hello', 'keep-alive server'], ['web', 'busybox httpd, a connection per request']] as const) {
      const podIp = k(['get', 'pods', '-l', `app=${app}`, '-o', 'jsonpath={.items[0].status.podIP}']);
      const clusterIp = k(['get', 'svc', app, '-o', 'jsonpath={.spec.clusterIP}']);
      const nodePort = k(['get', 'svc', app, '-o', 'jsonpath={.spec.ports[0].nodePort}']);
      const direct = `http://${podIp}:8080/`;
      comparisons.push(
        { name: `ClusterIP from a client pod (${label})`, target: '≥ 90% of direct', from: inPod, direct, via: `http://${clusterIp}/` },
        { name: `NodePort from outside the node (${label})`, target: '≥ 90% of direct', from: outside, direct, via: `http://10.250.77.1:${nodePort}/` },
        { name: `Ingress from outside the node (${label})`, target: '≥ 70% of direct', from: outside, direct, via: `http://10.250.77.1:${ingressPort}/`, headers: [`Host: ${app}.bench`] },
        { name: `NodePort on 127.0.0.1 from the node (${label})`, target: 'informational', from: [], direct, via: `http://127.0.0.1:${nodePort}/` },
      );
    }
    await sleep(2000);
    const rows: [string, string, string][] = [];
    for (const c of comparisons) {
      // Interleaved rounds, best of each: both paths see the same machine noise.
      let direct = 0;
      let via = 0;
      for (let round = 0; round < ROUNDS; round++) {
        direct = Math.max(direct, wrk(c.from, c.direct));
        via = Math.max(via, wrk(c.from, c.via, c.headers));
      }
      rows.push([c.name, `${via.toFixed(0)} req/s, ${((via / direct) * 100).toFixed(0)}% of direct (${direct.toFixed(0)})`, c.target]);
    }
    rows.push(['ingress data plane', plane, '']);
    return rows;
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    spawnSync('ip', ['link', 'del', `${netns}h`], { stdio: 'ignore' });
    spawnSync(process.execPath, [join(root, 'bin', 'kts'), 'cleanup', '--data-dir', dataDir], { stdio: 'ignore', timeout: 120_000 });
    rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await servicesBench()) console.log(`${r[0].padEnd(72)}  ${r[1].padEnd(44)}  ${r[2]}`);
}
