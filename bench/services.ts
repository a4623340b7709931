// Services benchmark (issue 6), with wrk, side by side in one run: the same HTTP requests to a
// busybox httpd pod straight on its IP, through its ClusterIP, through a NodePort on 127.0.0.1,
// and through the ingress controller. One replica, so every path ends at the same server.
// Needs root (the node) and wrk (Debian's `wrk`). Run alone: node --import tsx bench/services.ts
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage } from '../test/support/images.js';

const root = new URL('..', import.meta.url).pathname;
const IMAGE = 'kts.bench/busybox:1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests/s reported by wrk. */
function wrk(url: string, headers: string[] = []): number {
  const r = spawnSync('wrk', ['-t2', '-c16', '-d5s', ...headers.flatMap((h) => ['-H', h]), url], { encoding: 'utf8', timeout: 60_000 });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk ${url}: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

export async function servicesBench(): Promise<[string, string, string][]> {
  if (process.getuid?.() !== 0) return [['services benchmark', 'skipped (needs root)', '']];
  if (spawnSync('wrk', ['--version']).error) return [['services benchmark', 'skipped (install Debian\'s wrk)', '']];
  const base = mkdtempSync(join(tmpdir(), 'kts-bench-svc-'));
  const dataDir = join(base, 'data');
  const procs: ChildProcess[] = [];
  let log = '';
  try {
    const server = spawn(process.execPath, [join(root, 'bin', 'kts'), 'server', '--data-dir', dataDir, '--https-listen-port', '0', '--bind-address', '127.0.0.1', '--node-ip', '127.0.0.1', '--kubelet-port', '0', '--cluster-cidr', '10.203.0.0/16', '--node-name', 'bench-svc', '--ingress-http-port', '0', '--ingress-https-port', '0', '--cluster-dns-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    const tar = await buildBusyboxImage(base, IMAGE);
    const imp = spawnSync(process.execPath, [join(root, 'bin', 'kts'), 'image', 'import', '--data-dir', dataDir, tar], { encoding: 'utf8' });
    if (imp.status !== 0) throw new Error(`image import: ${imp.stderr}`);
    k(['create', 'deployment', 'web', `--image=${IMAGE}`, '--', 'sh', '-c', 'mkdir -p /www; echo hello > /www/index.html; exec httpd -f -p 8080 -h /www']);
    k(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--type=NodePort']);
    k(['create', 'ingress', 'web', '--rule=web.bench/*=web:80']);
    for (let i = 0; i < 600; i++) {
      if (k(['get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}']) === '1') break;
      await sleep(100);
    }
    const podIp = k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].status.podIP}']);
    const clusterIp = k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const nodePort = k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}']);
    const ingressPort = /listening on http port (\d+)/.exec(log)?.[1];
    await sleep(2000);
    const direct = wrk(`http://${podIp}:8080/`);
    const viaClusterIp = wrk(`http://${clusterIp}:80/`);
    const viaNodePort = wrk(`http://127.0.0.1:${nodePort}/`);
    const viaIngress = ingressPort ? wrk(`http://127.0.0.1:${ingressPort}/`, ['Host: web.bench']) : NaN;
    const row = (name: string, v: number, target: string): [string, string, string] => [name, `${v.toFixed(0)} req/s (${((v / direct) * 100).toFixed(0)}% of direct ${direct.toFixed(0)})`, target];
    return [
      row('HTTP through a ClusterIP (wrk, 16 connections)', viaClusterIp, '≥ 90% of direct to the pod'),
      row('HTTP through a NodePort on 127.0.0.1', viaNodePort, '≥ 90% of direct to the pod'),
      row('HTTP through the ingress controller', viaIngress, '≥ 70% of direct to the pod'),
    ];
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    spawnSync(process.execPath, [join(root, 'bin', 'kts'), 'cleanup', '--data-dir', dataDir], { stdio: 'ignore', timeout: 120_000 });
    rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await servicesBench()) console.log(`${r[0].padEnd(48)}  ${r[1].padEnd(40)}  ${r[2]}`);
}
