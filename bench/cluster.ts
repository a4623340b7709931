// Cluster-scale benchmark (issue 4): N simulated nodes Ready, then a Deployment of R replicas
// until fully Ready, with the throughput of each stage measured from one pod watch:
// created (ReplicaSet controller) → bound (scheduler) → Running (simulated kubelet) → Ready
// Deployment status (deployment controller). Also the server's RSS at the end and its peak.
//   node --import tsx bench/cluster.ts [nodes=5000] [replicas=10000]
// KTS_BENCH_PROF=DIR writes the server's CPU profiles there (KTS_BENCH_AGENT_PROF=DIR the simulated agent's); KTS_BENCH_SERVER_ARGS adds server flags
// (e.g. an audit log to count requests by verb and user).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClient } from '../src/client/rest-client.js';
import { createLoad, startFloor } from './api-load.js';
import type { KObject } from '../src/api/types.js';

const root = new URL('..', import.meta.url).pathname;
const standalone = import.meta.url === `file://${process.argv[1]}`;
const NODES = Number((standalone && process.argv[2]) || 5000);
const REPLICAS = standalone && process.argv[3] !== undefined ? Number(process.argv[3]) : 10000;
const IDLE_SECONDS = 15;
const base = mkdtempSync(join(tmpdir(), 'kts-bench-cluster-'));
const procs: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds used so far by a process: its main thread and all its other threads (workers, GC helpers). */
function cpuSeconds(pid: number): { main: number; others: number } {
  const ticks = (stat: string) => {
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  let main = 0;
  let others = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const v = ticks(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8'));
      if (Number(t) === pid) main = v;
      else others += v;
    } catch {
      // the thread ended
    }
  }
  return { main, others };
}

function rssMb(pid: number, field = 'VmRSS'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

export async function clusterBench(): Promise<[string, string, string][]> {
  const dataDir = join(base, 'kts');
  const server = spawn(process.execPath, [...(process.env.KTS_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KTS_BENCH_PROF}`] : []), join(root, 'bin', 'kts'), 'server', '--disable-agent', '--data-dir', dataDir, '--https-listen-port', '0', '--bind-address', '127.0.0.1', '--log-level', 'warn', '--cluster-cidr', '10.128.0.0/9', ...(process.env.KTS_BENCH_SERVER_ARGS?.split(' ') ?? [])], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(server);
  const kc = join(dataDir, 'admin.kubeconfig');
  for (let i = 0; i < 600 && !existsSync(kc); i++) await sleep(50);
  const text = readFileSync(kc, 'utf8');
  const field = (n: string) => Buffer.from(new RegExp(`${n}: (\\S+)`).exec(text)![1]!, 'base64').toString();
  const url = /server: (\S+)/.exec(text)![1]!;
  const client = new RestClient({ server: url, caPem: field('certificate-authority-data'), certPem: field('client-certificate-data'), keyPem: field('client-key-data') });
  const token = readFileSync(join(dataDir, 'server', 'node-token'), 'utf8').trim();
  const results: [string, string, string][] = [];

  // 1. Nodes.
  const t0 = performance.now();
  const agent = spawn(process.execPath, [...(process.env.KTS_BENCH_AGENT_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KTS_BENCH_AGENT_PROF}`] : []), join(root, 'bin', 'kts'), 'agent', '--simulated', '--nodes', String(NODES), '--node-name', 'sim', '--server', url, '--token', token], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(agent);
  // Watched, not listed: listing 5,000 nodes twice a second would load the server being measured.
  const nodeState = new Map<string, boolean>();
  let ready = 0;
  const nodesAc = new AbortController();
  let allReady!: () => void;
  const nodesDone = new Promise<void>((r) => (allReady = r));
  const nodeWatch = client.watch('/api/v1/nodes?resourceVersion=0', (e) => {
    const n = e.object as KObject;
    const ok = e.type !== 'DELETED' && ((n.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') && !!(n.spec as { podCIDR?: string })?.podCIDR;
    if (ok !== (nodeState.get(n.metadata.name!) ?? false)) ready += ok ? 1 : -1;
    nodeState.set(n.metadata.name!, ok);
    if (ready >= NODES) allReady();
  }, nodesAc.signal).catch(() => {});
  await Promise.race([nodesDone, sleep(120_000)]);
  nodesAc.abort();
  await nodeWatch;
  const nodesSec = (performance.now() - t0) / 1000;
  results.push([`${NODES} simulated nodes Ready (with pod CIDRs)`, ready >= NODES ? `${nodesSec.toFixed(1)} s` : `only ${ready} after ${nodesSec.toFixed(0)} s`, '<= 30 s']);

  // 2. The nodes' steady cost: every simulated kubelet renews its Lease every 10 s (NODES/10 writes/s).
  const renewals = { n: 0 };
  const leasesAc = new AbortController();
  const leaseWatch = client.watch('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases?resourceVersion=0', (e) => {
    if (e.type === 'MODIFIED') renewals.n++;
  }, leasesAc.signal).catch(() => {});
  await sleep(5000);
  const idle0 = { server: cpuSeconds(server.pid!), agent: cpuSeconds(agent.pid!), n: renewals.n, t: performance.now() };
  await sleep(IDLE_SECONDS * 1000);
  const idle1 = { server: cpuSeconds(server.pid!), agent: cpuSeconds(agent.pid!), n: renewals.n, t: performance.now() };
  const idleSec = (idle1.t - idle0.t) / 1000;
  const writes = idle1.n - idle0.n;
  const perWrite = (sec: number) => `${((sec * 1000) / Math.max(writes, 1)).toFixed(2)} ms`;
  results.push([`${NODES} idle nodes: Lease renewals`, `${(writes / idleSec).toFixed(0)}/s`, '']);
  results.push(['  CPU per renewal: server API thread; other threads', `${perWrite(idle1.server.main - idle0.server.main)}; ${perWrite(idle1.server.others - idle0.server.others)}`, '']);
  results.push(['  server API thread busy (share of one core)', `${(((idle1.server.main - idle0.server.main) / idleSec) * 100).toFixed(0)}%`, '']);
  if (!REPLICAS) {
    leasesAc.abort();
    await leaseWatch;
    return finish(results);
  }

  // 3. Deployment, with every stage timed from one pod watch.
  const created: number[] = [];
  const bound: number[] = [];
  const running: number[] = [];
  const seen = new Map<string, number>();
  const ac = new AbortController();
  const watching = client.watch('/api/v1/namespaces/default/pods?resourceVersion=0', (e) => {
    const o = e.object as KObject;
    const k = o.metadata.name!;
    const now = performance.now();
    let st = seen.get(k) ?? 0;
    if (!(st & 1)) { created.push(now); st |= 1; }
    if (!(st & 2) && (o.spec as { nodeName?: string })?.nodeName) { bound.push(now); st |= 2; }
    if (!(st & 4) && (o.status as { phase?: string })?.phase === 'Running') { running.push(now); st |= 4; }
    seen.set(k, st);
  }, ac.signal).catch(() => {});
  await sleep(300);
  const rev0 = await revision();
  const renewals0 = renewals.n;
  // Nodes whose Ready condition leaves True during the rollout (a Lease not renewed for 40 s).
  const notReady = new Set<string>();
  const nodeChanges = client.watch(`/api/v1/nodes?resourceVersion=${rev0}`, (e) => {
    const n = e.object as KObject;
    const ready = ((n.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).find((c) => c.type === 'Ready');
    if (e.type === 'DELETED' || ready?.status !== 'True') notReady.add(n.metadata.name!);
  }, leasesAc.signal).catch(() => {});
  const cpu0 = { server: cpuSeconds(server.pid!), agent: cpuSeconds(agent.pid!), bench: process.cpuUsage() };
  const d0 = performance.now();
  await client.create('/apis/apps/v1/namespaces/default/deployments', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'scale' },
    spec: { replicas: REPLICAS, selector: { matchLabels: { app: 'scale' } }, template: { metadata: { labels: { app: 'scale' } }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } } },
  });
  let readyReplicas: number;
  for (;;) {
    const d = await client.get<KObject>('/apis/apps/v1/namespaces/default/deployments/scale');
    readyReplicas = (d.status as { readyReplicas?: number })?.readyReplicas ?? 0;
    if (readyReplicas >= REPLICAS || performance.now() - d0 > 300_000) break;
    await sleep(250);
  }
  const total = (performance.now() - d0) / 1000;
  const cpu1 = { server: cpuSeconds(server.pid!), agent: cpuSeconds(agent.pid!), bench: process.cpuUsage(cpu0.bench) };
  const writesPerPod = ((await revision()) - rev0) / REPLICAS;
  const renewalsPerPod = (renewals.n - renewals0) / REPLICAS;
  leasesAc.abort();
  await Promise.all([leaseWatch, nodeChanges]);
  ac.abort();
  await watching;
  const rate = (ts: number[]) => (ts.length ? `${(ts.length / ((Math.max(...ts) - d0) / 1000)).toFixed(0)} pods/s (${ts.length})` : 'n/a');
  results.push([`Deployment of ${REPLICAS} replicas fully Ready`, readyReplicas >= REPLICAS ? `${total.toFixed(1)} s = ${(REPLICAS / total).toFixed(0)} pods/s` : `only ${readyReplicas} Ready after ${total.toFixed(0)} s`, '>= 1000 pods/s']);
  results.push(['  pods created (ReplicaSet controller)', rate(created), '']);
  results.push(['  pods bound (scheduler)', rate(bound), '']);
  results.push(['  pods Running (simulated kubelets)', rate(running), '']);
  // CPU per pod is steadier than the rate on a noisy machine: it compares builds better.
  const perPod = (sec: number) => `${((sec * 1000) / REPLICAS).toFixed(2)} ms`;
  const serverMain = cpu1.server.main - cpu0.server.main;
  const serverOthers = cpu1.server.others - cpu0.server.others;
  const agentCpu = cpu1.agent.main + cpu1.agent.others - cpu0.agent.main - cpu0.agent.others;
  const benchCpu = (cpu1.bench.user + cpu1.bench.system) / 1e6;
  results.push(['CPU per pod: server API thread', perPod(serverMain), '']);
  results.push(['  server control loops and GC threads', perPod(serverOthers), '']);
  results.push(['  simulated agent; benchmark watch', `${perPod(agentCpu)}; ${perPod(benchCpu)}`, '']);
  const all = serverMain + serverOthers + agentCpu + benchCpu;
  results.push(['  all of them; cores busy on average', `${perPod(all)}; ${(all / total).toFixed(2)} of ${availableParallelism()}`, '']);
  results.push(['storage writes per pod during the rollout; of them Lease renewals', `${writesPerPod.toFixed(2)}; ${renewalsPerPod.toFixed(2)} (${(renewalsPerPod * REPLICAS / total).toFixed(0)}/s)`, '']);
  results.push(['nodes NotReady at any time during the rollout', String(notReady.size), '0']);
  return finish(results, { perPod: writesPerPod - renewalsPerPod, renewalsPerSec: NODES / 10 });

  /** The storage revision now: every write (of any kind) takes one. */
  async function revision(): Promise<number> {
    return Number((await client.list('/api/v1/namespaces/default/configmaps?limit=1')).metadata?.resourceVersion);
  }

  async function finish(rows: [string, string, string][], writes?: RolloutWrites): Promise<[string, string, string][]> {
    rows.push(['server RSS at the end (peak during the run)', `${rssMb(server.pid!).toFixed(0)} MB (${rssMb(server.pid!, 'VmHWM').toFixed(0)} MB)`, '< 1 GB']);
    client.close();
    // SIGINT first so a --cpu-prof run (KTS_BENCH_PROF) can write its profile.
    const stopping = procs.splice(0);
    for (const p of stopping) p.kill('SIGINT');
    await sleep(process.env.KTS_BENCH_PROF ? 4000 : 500);
    for (const p of stopping) p.kill('SIGKILL');
    if (writes) rows.push(...(await floorBound(writes)));
    if (!standalone) rmSync(base, { recursive: true, force: true });
    return rows;
  }
}

/** A rollout's writes: those each pod takes (creation, binding, status, events), and the nodes' steady Lease renewals. */
interface RolloutWrites {
  perPod: number;
  renewalsPerSec: number;
}

/**
 * The most pods/s this machine could give if every write cost only what it costs a bare HTTPS
 * server that parses each JSON body and inserts it into SQLite (bench/floor-server.ts), driven by 8
 * clients on these same cores once the cluster is gone: no admission, validation, watch delivery,
 * controllers or scheduling. At R pods/s there are R × perPod + renewals/s writes, so
 * R = (CPU budget / CPU per write − renewals/s) / perPod: for one server thread, a second of CPU
 * and the floor server's CPU per write; for the machine, every core and the floor's server and
 * client CPU per write together.
 */
async function floorBound(writes: RolloutWrites): Promise<[string, string, string][]> {
  const tls = join(base, 'kts', 'server', 'tls');
  const cert = readFileSync(join(tls, 'serving-kube-apiserver.crt'), 'utf8');
  const key = readFileSync(join(tls, 'serving-kube-apiserver.key'), 'utf8');
  const ca = readFileSync(join(tls, 'server-ca.crt'), 'utf8');
  const floorDir = mkdtempSync(join(base, 'floor-'));
  const { conn, proc } = await startFloor(floorDir, { cert, key }, ca, procs);
  try {
    await createLoad(conn, '/', 'warm', 1);
    const s0 = cpuSeconds(proc.pid!);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const rate = await createLoad(conn, '/', 'floor', 5);
    const done = rate * 5;
    const s1 = cpuSeconds(proc.pid!);
    const c = process.cpuUsage(c0);
    const server = (s1.main + s1.others - s0.main - s0.others) / done;
    const clientCpu = (c.user + c.system) / 1e6 / done;
    const cores = availableParallelism();
    const bound = (budget: number, perWrite: number) => ((budget / perWrite - writes.renewalsPerSec) / writes.perPod).toFixed(0);
    return [
      ['floor: bare HTTPS+JSON+SQLite write, CPU (server; client)', `${(server * 1000).toFixed(3)} ms; ${(clientCpu * 1000).toFixed(3)} ms (${rate.toFixed(0)}/s on ${(((s1.main + s1.others - s0.main - s0.others) + (c.user + c.system) / 1e6) / ((performance.now() - t0) / 1000)).toFixed(2)} cores)`, ''],
      [`  pods/s if each write cost only that (${writes.perPod.toFixed(2)} writes per pod + ${writes.renewalsPerSec} renewals/s): ${cores} cores; one server thread`, `${bound(cores, server + clientCpu)}; ${bound(1, server)}`, ''],
    ];
  } finally {
    conn.agent.destroy();
    proc.kill('SIGKILL');
  }
}

if (standalone) {
  clusterBench()
    .then((rows) => {
      const w = Math.max(...rows.map((r) => r[0].length));
      const w2 = Math.max(...rows.map((r) => r[1].length));
      console.log(`${'measure'.padEnd(w)}  ${'result'.padEnd(w2)}  target`);
      for (const r of rows) console.log(`${r[0].padEnd(w)}  ${r[1].padEnd(w2)}  ${r[2]}`);
    })
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(async () => {
      // SIGINT first so a --cpu-prof run can write its profile.
      for (const p of procs) p.kill('SIGINT');
      await sleep(3000);
      for (const p of procs) p.kill('SIGKILL');
      rmSync(base, { recursive: true, force: true });
    });
}
