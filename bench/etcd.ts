// etcd and HA (issue 8). Needs Debian's etcd-server (/usr/bin/etcd); skipped, saying so, without it.
//  1. Writes, side by side in alternating rounds: pod creates/s over HTTPS from 8 clients (issue 2's
//     create load) against one `kts server` on SQLite and one on a 3-member etcd cluster (three
//     etcd processes on loopback, data on the same disk as SQLite, etcd's default timeouts; the
//     server's --datastore-endpoint lists all three), and the floor: raw etcd writes of the same
//     bytes (a stored pod) from 8 concurrent callers through our etcd client to the same cluster,
//     each the very Txn kts's create sends (put if the key does not exist).
//  2. Failover: three `kts server`s with embedded etcd (--cluster-init, two joined), ConfigMap
//     creates from 4 clients against the two that stay; kill -9 of the server whose etcd member
//     leads; the time from the kill to writes accepted again (the end of the longest gap between
//     acknowledged writes after it), writes refused, and how long a write in flight at the kill
//     waited for its answer (etcd answers a proposal its dead leader took only at its request
//     timeout, 5 s + 2 election timeouts = 7 s; kts cannot retry it, as it may have been applied).
//     KTS_BENCH_VERBOSE=1 prints each refused write.
// Run alone: node --import tsx bench/etcd.ts [write rounds=3] [failovers=3]
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { call, closedLoop, connFromKubeconfig, createLoad, sleep, startKtsServer } from './api-load.js';
import type { Conn } from './api-load.js';
import { startEtcd, freePort } from '../test/support/etcd.js';
import type { EtcdCluster } from '../test/support/etcd.js';
import { startServer } from '../test/e2e/harness.js';
import type { KtsServer } from '../test/e2e/harness.js';
import { EtcdClient } from '../src/storage/etcd-client.js';

const ETCD = '/usr/bin/etcd';
const PODS = '/api/v1/namespaces/default/pods';
type Row = [string, string, string];

const range = (xs: number[], digits = 0, unit = '') => {
  const s = [...xs].sort((a, b) => a - b);
  const f = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return s.length === 1 || f(s[0]!) === f(s[s.length - 1]!) ? `${f(s[0]!)}${unit}` : `${f(s[0]!)}–${f(s[s.length - 1]!)}${unit}`;
};

async function writesBench(rounds: number): Promise<Row[]> {
  const base = mkdtempSync(join(tmpdir(), 'kts-bench-etcd-'));
  const procs: ChildProcess[] = [];
  let cluster: EtcdCluster | undefined;
  let raw: EtcdClient | undefined;
  try {
    cluster = await startEtcd({ members: 3, parentDir: base, defaultTimeouts: true });
    const sqlite = await startKtsServer(join(base, 'sqlite'));
    procs.push(sqlite.proc);
    const onEtcd = await startKtsServer(join(base, 'etcd'), ['--datastore-endpoint', cluster.endpoints.join(',')]);
    procs.push(onEtcd.proc);
    raw = new EtcdClient({ endpoints: cluster.endpoints });

    // The bytes kts stores for one of these pods, written raw under keys outside /registry (which
    // the kts server on this cluster watches) of the same length as the pods' keys.
    await createLoad(onEtcd.conn, PODS, 'warm', 1);
    const stored = (await raw.range({ key: Buffer.from('/registry/pods/default/warm-0-0') })).kvs[0]?.value;
    if (!stored) throw new Error('the warm-up pod is not in etcd under /registry/pods/default/warm-0-0');
    const client = raw;
    const rawLoad = (prefix: string, seconds: number) =>
      closedLoop(seconds, 8, async (w, i) => {
        const key = Buffer.from(`/raw-bench/pods/default/${prefix}-${w}-${i}`);
        const r = await client.txn({ compare: [{ key, target: 'CREATE', result: 'EQUAL', createRevision: 0 }], success: [{ requestPut: { key, value: stored } }], failure: [] });
        return r.succeeded;
      });
    await createLoad(sqlite.conn, PODS, 'warm', 1);
    await rawLoad('warm', 1);

    const endpoints = cluster.endpoints;
    const requests = async (): Promise<Record<string, number>> => {
      const sum: Record<string, number> = {};
      for (const ep of endpoints) {
        const text = await (await fetch(`${ep}/metrics`)).text();
        for (const m of text.matchAll(/^grpc_server_handled_total\{[^}]*grpc_method="(Range|Txn|Put)"[^}]*\} (\S+)$/gm)) sum[m[1]!] = (sum[m[1]!] ?? 0) + Number(m[2]);
      }
      return sum;
    };
    let etcdCreates = 0;
    const etcdRequests: Record<string, number> = {};
    const rates: Record<'sqlite' | 'etcd' | 'raw', number[]> = { sqlite: [], etcd: [], raw: [] };
    const ratios: number[] = [];
    const order = ['etcd', 'raw', 'sqlite'] as const;
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < order.length; k++) {
        const which = order[(k + r) % order.length]!;
        const before = which === 'etcd' ? await requests() : {};
        const rate = which === 'raw' ? await rawLoad(`r${r}`, 5) : await createLoad(which === 'etcd' ? onEtcd.conn : sqlite.conn, PODS, `r${r}`, 5);
        if (which === 'etcd') {
          etcdCreates += rate * 5;
          for (const [k, v] of Object.entries(await requests())) etcdRequests[k] = (etcdRequests[k] ?? 0) + v - (before[k] ?? 0);
        }
        rates[which].push(rate);
      }
      ratios.push(rates.etcd[r]! / rates.raw[r]!);
      console.error(`etcd bench round ${r + 1}: kts on etcd ${rates.etcd[r]!.toFixed(0)}/s, raw etcd ${rates.raw[r]!.toFixed(0)}/s, kts on SQLite ${rates.sqlite[r]!.toFixed(0)}/s`);
    }
    return [
      [`pod creates/s, 8 clients, kts on 3-member etcd (floor: raw etcd Txn puts of the stored ${stored.length} bytes, 8 callers)`, `${range(rates.etcd)} (floor ${range(rates.raw)}, ${range(ratios.map((x) => x * 100))}%)`, ''],
      ['pod creates/s, 8 clients, kts on SQLite, same rounds', range(rates.sqlite), ''],
      ['— etcd requests per pod create of kts (all three members, gRPC calls handled)', Object.entries(etcdRequests).map(([k, v]) => `${k} ${(v / etcdCreates).toFixed(2)}`).join(', '), ''],
    ];
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    raw?.close();
    await cluster?.cleanup();
    rmSync(base, { recursive: true, force: true });
  }
}

interface Failover {
  recoveryS: number;
  gapS: number;
  refused: number;
  acked: number;
  /** The longest wait of a write sent before the kill and answered after it, and whether it succeeded. */
  stalledS: number;
  stalledOk: boolean;
}

/** A client of a server's etcd member (on its --etcd-client-port), with the server's etcd client certificate. */
function memberClient(s: KtsServer, port: number): EtcdClient {
  const url = `https://127.0.0.1:${port}`;
  const f = (n: string) => readFileSync(join(s.dataDir, 'server', 'tls', 'etcd', n), 'utf8');
  return new EtcdClient({ endpoints: [url], tls: { caPem: f('ca.crt'), certPem: f('client.crt'), keyPem: f('client.key') }, callTimeoutMs: 3000 });
}

async function failoverOnce(): Promise<Failover> {
  const servers: KtsServer[] = [];
  const clientPorts: number[] = [];
  const etcdArgs = async (name: string) => {
    clientPorts.push(await freePort());
    return ['--node-name', name, '--etcd-client-port', String(clientPorts[clientPorts.length - 1]), '--etcd-peer-port', String(await freePort()), '--log-level', 'warn'];
  };
  let stop = false;
  let writers: Promise<void>[] = [];
  try {
    const first = await startServer({ extraArgs: ['--cluster-init', ...(await etcdArgs('s1'))] });
    servers.push(first);
    const token = readFileSync(join(first.dataDir, 'server', 'node-token'), 'utf8').trim();
    for (const name of ['s2', 's3']) servers.push(await startServer({ extraArgs: ['--server', `https://127.0.0.1:${first.port}`, '--token', token, ...(await etcdArgs(name))] }));
    await sleep(2000);

    // The server whose member leads: its Status answer names itself as the leader.
    let victim = -1;
    for (let i = 0; i < servers.length && victim < 0; i++) {
      const c = memberClient(servers[i]!, clientPorts[i]!);
      try {
        const st = await c.status();
        if ((st.header as { memberId?: number }).memberId === st.leader) victim = i;
      } finally {
        c.close();
      }
    }
    if (victim < 0) throw new Error('no server\'s etcd member reports itself the leader');
    const survivors = servers.filter((_, i) => i !== victim).map((s) => connFromKubeconfig(s.kubeconfig));

    const ns = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'failover' } });
    for (let i = 0; i < 100 && ![201, 409].includes((await call(survivors[0]!, 'POST', '/api/v1/namespaces', ns).catch(() => ({ status: 0 }))).status); i++) await sleep(100);

    let killedAt = Infinity;
    const acks: number[] = [];
    const refusals: number[] = [];
    const why: string[] = [];
    const inFlight: { sent: number; done: number; ok: boolean }[] = [];
    // Open loop: a create every 10 ms, alternating between the two servers, whatever is still
    // unanswered (a closed-loop client whose write was in flight at the kill would wait for that
    // write and say nothing about when new writes are accepted again).
    const write = async (c: Conn, name: string) => {
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });
      const sent = performance.now();
      const r = await call(c, 'POST', '/api/v1/namespaces/failover/configmaps', body, 30_000).catch((e: Error) => ({ status: 0, body: e.message }));
      const done = performance.now();
      (r.status === 201 ? acks : refusals).push(done);
      if (sent <= killedAt && done > killedAt) inFlight.push({ sent, done, ok: r.status === 201 });
      if (r.status !== 201) why.push(`sent ${((sent - killedAt) / 1000).toFixed(2)} s, answered ${((done - killedAt) / 1000).toFixed(2)} s after the kill: ${r.status} ${r.body.slice(0, 160)}`);
    };
    writers = [
      (async () => {
        const pending = new Set<Promise<void>>();
        for (let i = 0; !stop; i++) {
          if (pending.size < 200) {
            const p: Promise<void> = write(survivors[i % 2]!, `w-${i}`).finally(() => pending.delete(p));
            pending.add(p);
          }
          await sleep(10);
        }
        await Promise.all(pending);
      })(),
    ];
    await sleep(3000);
    killedAt = performance.now();
    await servers[victim]!.stop('SIGKILL');
    // Until 10 s after the kill, and then until writes have flowed for a second (at most 60 s).
    while (performance.now() - killedAt < 10_000 || (performance.now() - (acks[acks.length - 1] ?? 0) > 200 && performance.now() - killedAt < 60_000)) await sleep(100);
    const lastAckNow = acks[acks.length - 1] ?? 0;
    if (process.env.KTS_BENCH_VERBOSE) for (const w of why) console.error(`  refused: ${w}`);
    stop = true;
    await Promise.all(writers);

    const sorted = [...acks].sort((a, b) => a - b);
    // The longest gap between acknowledged writes that ends after the kill (the one spanning the
    // kill included): its end is when the cluster took writes again.
    let prev = sorted.filter((t) => t <= killedAt).slice(-1)[0] ?? killedAt;
    let gap = 0;
    let gapEnd = killedAt;
    for (const t of sorted.filter((x) => x > killedAt)) {
      if (t - prev > gap) [gap, gapEnd] = [t - prev, t];
      prev = t;
    }
    if (gapEnd === killedAt) gapEnd = lastAckNow;
    const stalled = inFlight.filter((w) => w.sent <= killedAt && w.done > killedAt).map((w) => ({ s: (w.done - w.sent) / 1000, ok: w.ok }));
    const worst = stalled.sort((x, y) => y.s - x.s)[0] ?? { s: 0, ok: true };
    return { recoveryS: (gapEnd - killedAt) / 1000, gapS: gap / 1000, refused: refusals.filter((t) => t > killedAt).length, acked: sorted.filter((t) => t > killedAt).length, stalledS: worst.s, stalledOk: worst.ok };
  } finally {
    stop = true;
    await Promise.all(writers);
    await Promise.all(servers.map((s) => s.cleanup()));
  }
}

async function failoverBench(runs: number): Promise<Row[]> {
  const results: Failover[] = [];
  for (let r = 0; r < runs; r++) {
    const f = await failoverOnce();
    console.error(`failover ${r + 1}: writes accepted again ${f.recoveryS.toFixed(2)} s after the kill; longest gap between acks ${f.gapS.toFixed(2)} s; ${f.refused} refused, ${f.acked} acknowledged after the kill; slowest write in flight at the kill: ${f.stalledS.toFixed(2)} s (${f.stalledOk ? 'acknowledged' : 'refused'})`);
    results.push(f);
  }
  return [
    [`HA failover, kill -9 of the server whose etcd member leads: kill → writes accepted again (end of the longest gap between acknowledged writes; ${runs} runs)`, range(results.map((f) => f.recoveryS), 2, ' s'), '≤ 5 s'],
    ['— longest gap between acknowledged writes (a create every 10 ms to the 2 other servers)', range(results.map((f) => f.gapS), 2, ' s'), ''],
    ['— writes refused after the kill', range(results.map((f) => f.refused)), ''],
    ['— slowest write in flight at the kill: answered after', `${range(results.map((f) => f.stalledS), 2, ' s')} (${results.filter((f) => !f.stalledOk).length} of ${runs} refused)`, ''],
  ];
}

export async function etcdBench(rounds = 3, failovers = 3): Promise<Row[]> {
  if (!existsSync(ETCD)) return [['etcd and HA (issue 8)', `skipped: ${ETCD} not found (apt-get install etcd-server)`, '']];
  return [...(rounds > 0 ? await writesBench(rounds) : []), ...(failovers > 0 ? await failoverBench(failovers) : [])];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await etcdBench(Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 3));
  const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  for (const r of rows) console.log(`${r[0].padEnd(width[0]!)}  ${r[1].padEnd(width[1]!)}  ${r[2]}`);
}
