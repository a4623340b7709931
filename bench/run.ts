// `npm run bench`: kts API server speed and memory, measured side by side in one run.
//  - pod creates/s over HTTPS from 8 concurrent clients: kts vs a bare Node HTTPS+SQLite floor
//  - LIST latency for 3,000 configmaps and 10,000 pods
//  - watch delivery latency (p50/p99) to 1,000 concurrent watchers
//  - server RSS when idle
// Prints a table; results go into docs/benchmarks.md by hand with the machine noted.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:https';
import { call, createLoad, podJson, sleep, startFloor, startKtsServer } from './api-load.js';
import type { Conn } from './api-load.js';
import { etcdBench } from './etcd.js';
import { clusterBench } from './cluster.js';
import { nodeBench } from './node.js';
import { servicesBench } from './services.js';
import { joinBench } from './join.js';
import { proxyBench } from './proxy.js';
import { applyBench } from './apply.js';
import { protobufBench } from './protobuf.js';
import { dnsBench } from './dns.js';
import { benchmarkScheduler } from '../src/scheduler/bench.js';

const base = mkdtempSync(join(tmpdir(), 'kts-bench-'));
const procs: ChildProcess[] = [];
const results: [string, string, string][] = [];

async function startKts(): Promise<{ conn: Conn; proc: ChildProcess; certs: { cert: string; key: string } }> {
  const dataDir = join(base, 'kts');
  const { conn, proc } = await startKtsServer(dataDir);
  procs.push(proc);
  const tls = join(dataDir, 'server', 'tls');
  return { conn, proc, certs: { cert: readFileSync(join(tls, 'serving-kube-apiserver.crt'), 'utf8'), key: readFileSync(join(tls, 'serving-kube-apiserver.key'), 'utf8') } };
}


function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/**
 * RSS once start-up has settled: V8 collects start-up garbage (certificate parsing, the first
 * informer lists, OpenAPI) only some seconds later, so sample each second for 20 s after the
 * kubeconfig appears and report the median of the last five readings.
 */
async function settledRssMb(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 20; i++) {
    await sleep(1000);
    readings.push(rssMb(pid));
  }
  const last = readings.slice(-5).sort((a, b) => a - b);
  return last[2]!;
}

async function listMs(c: Conn, path: string, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await call(c, 'GET', path);
    if (r.status !== 200) throw new Error(`list ${path}: ${r.status}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function fill(c: Conn, ns: string, kind: 'pods' | 'configmaps', n: number): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (i < n) {
      const k = i++;
      const body = kind === 'pods' ? podJson(`p-${k}`) : JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${k}` }, data: { key: 'value'.repeat(20) } });
      const r = await call(c, 'POST', `/api/v1/namespaces/${ns}/${kind}`, body);
      if (r.status !== 201) throw new Error(`fill: ${r.status} ${r.body}`);
    }
  }));
}

async function watchLatency(c: Conn, watchers: number, events: number): Promise<{ p50: number; p99: number }> {
  await call(c, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'watch' } }));
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  const reqs: ReturnType<typeof request>[] = [];
  const wagent = new Agent({ keepAlive: true, maxSockets: watchers + 10, ca: c.ca, cert: (c.agent.options as { cert?: string }).cert, key: (c.agent.options as { key?: string }).key });
  let ready = 0;
  for (let w = 0; w < watchers; w++) {
    const req = request({ host: '127.0.0.1', port: c.port, path: '/api/v1/namespaces/watch/configmaps?watch=true&resourceVersion=0', agent: wagent }, (res) => {
      ready++;
      let buf = '';
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const name = (JSON.parse(line) as { object: { metadata: { name: string } } }).object.metadata.name;
          const t = sentAt.get(name);
          if (t !== undefined) lat.push(performance.now() - t);
        }
      });
    });
    req.on('error', () => {});
    req.end();
    reqs.push(req);
  }
  for (let i = 0; i < 200 && ready < watchers; i++) await sleep(50);
  for (let e = 0; e < events; e++) {
    const name = `w-${e}`;
    sentAt.set(name, performance.now());
    await call(c, 'POST', '/api/v1/namespaces/watch/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } }));
    await sleep(20);
  }
  for (let i = 0; i < 100 && lat.length < watchers * events; i++) await sleep(50);
  for (const r of reqs) r.destroy();
  wagent.destroy();
  lat.sort((a, b) => a - b);
  return { p50: lat[Math.floor(lat.length * 0.5)] ?? NaN, p99: lat[Math.floor(lat.length * 0.99)] ?? NaN };
}

async function main() {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  const kts = await startKts();
  const idleRss = await settledRssMb(kts.proc.pid!);
  results.push(['server RSS idle', `${idleRss.toFixed(0)} MB`, '< 100 MB']);

  const floor = (await startFloor(base, kts.certs, kts.conn.ca, procs)).conn;
  await createLoad(floor, '/', 'warm', 1);
  await createLoad(kts.conn, '/api/v1/namespaces/default/pods', 'warm', 1);
  const floorRate = await createLoad(floor, '/', 'f', 5);
  const ktsRate = await createLoad(kts.conn, '/api/v1/namespaces/default/pods', 'k', 5);
  results.push(['pod creates/s, 8 clients (floor: bare HTTPS+SQLite)', `${ktsRate.toFixed(0)} (floor ${floorRate.toFixed(0)}, ${((ktsRate / floorRate) * 100).toFixed(0)}%)`, '>= 40% of floor (aim 80%)']);

  await call(kts.conn, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cms' } }));
  await call(kts.conn, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pods' } }));
  await fill(kts.conn, 'cms', 'configmaps', 3000);
  results.push(['LIST 3,000 configmaps (median of 5)', `${(await listMs(kts.conn, '/api/v1/namespaces/cms/configmaps')).toFixed(0)} ms`, '< 300 ms']);
  await fill(kts.conn, 'pods', 'pods', 10000);
  results.push(['LIST 10,000 pods (median of 5)', `${(await listMs(kts.conn, '/api/v1/namespaces/pods/pods')).toFixed(0)} ms`, '< 1000 ms']);

  const w = await watchLatency(kts.conn, 1000, 20);
  results.push(['watch delivery, 1,000 watchers (p50 / p99)', `${w.p50.toFixed(1)} / ${w.p99.toFixed(1)} ms`, 'p99 < 50 ms']);
  results.push(['server RSS after the run', `${rssMb(kts.proc.pid!).toFixed(0)} MB`, '']);
  // Issue 3: a 50-object server-side apply with the real kubectl.
  results.push(...applyBench(join(base, 'kts', 'admin.kubeconfig')));
  kts.proc.kill('SIGKILL');

  results.push(...protobufBench());
  // Issue 6: cluster DNS answering from its maps.
  results.push(...(await dnsBench()));
  // Issue 4: the scheduler alone (in-process, binding without API round trips) ...
  const sched = await benchmarkScheduler({ nodes: 5000, pods: 10000 });
  results.push(['scheduler alone: 10,000 pods on 5,000 nodes', `${sched.podsPerSecond.toFixed(0)} pods/s`, '']);
  // ... and the whole cluster: 5,000 simulated nodes, a 10,000-replica Deployment.
  if (process.env.KTS_BENCH_QUICK !== '1') results.push(...(await clusterBench()));
  // Issue 5: the real node against straight CRI on the same containerd.
  if (process.env.KTS_BENCH_QUICK !== '1') results.push(...(await nodeBench()));
  // Issue 6: Services and ingress against straight-to-pod requests (wrk).
  if (process.env.KTS_BENCH_QUICK !== '1') results.push(...(await servicesBench()));
  if (process.env.KTS_BENCH_QUICK !== '1') results.push(...(await joinBench()));
  // Issue 8: writes on a 3-member etcd (kts, raw puts, SQLite side by side) and HA failover.
  if (process.env.KTS_BENCH_QUICK !== '1') results.push(...(await etcdBench()));
  results.push(...(await proxyBench()));

  const width = [Math.max(...results.map((r) => r[0].length)), Math.max(...results.map((r) => r[1].length)), 10];
  console.log(`\n${'measure'.padEnd(width[0]!)}  ${'result'.padEnd(width[1]!)}  target`);
  for (const r of results) console.log(`${r[0].padEnd(width[0]!)}  ${r[1].padEnd(width[1]!)}  ${r[2]}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const p of procs) p.kill('SIGKILL');
    rmSync(base, { recursive: true, force: true });
  });
