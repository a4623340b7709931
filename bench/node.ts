// Node benchmark (issue 5), side by side in one run on the same containerd:
//  - the floor: a pod started straight through CRI (RunPodSandbox + CreateContainer +
//    StartContainer), one at a time and 30 at once;
//  - kts: `kts server` with its agent, a Pod created through the API until Ready, one at a time
//    and 30 at once; start → node Ready; the kts process's RSS with 30 pods (containerd excluded).
// Needs root (containerd). Run alone: node --import tsx bench/node.ts
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClient, resourcePath } from '../src/client/rest-client.js';
import type { KObject } from '../src/api/types.js';
import { CriClient } from '../src/kubelet/cri/client.js';
import { containerdPaths } from '../src/kubelet/containerd/paths.js';
import { buildBusyboxImage } from '../test/support/images.js';

const root = new URL('..', import.meta.url).pathname;
const IMAGE = 'kts.bench/busybox:1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function rawPod(cri: CriClient, i: number, tag: string): Promise<{ ms: number; sandbox: string }> {
  const uid = `bench-${tag}-${i}-${Date.now()}`;
  const t = performance.now();
  const config = { metadata: { name: `raw-${tag}-${i}`, uid, namespace: 'bench-raw', attempt: 0 }, logDirectory: join(tmpdir(), 'kts-bench-raw', uid), linux: { cgroupParent: `/kubepods/besteffort/pod${uid}` }, labels: { 'kts.bench': 'raw' } };
  const sandbox = await cri.runPodSandbox(config);
  const id = await cri.createContainer(sandbox, { metadata: { name: 'c', attempt: 0 }, image: { image: IMAGE }, command: ['sleep', '3600'], logPath: 'c/0.log' }, config);
  await cri.startContainer(id);
  return { ms: performance.now() - t, sandbox };
}

async function removeRaw(cri: CriClient, sandboxes: string[]): Promise<void> {
  for (const s of sandboxes) {
    await cri.stopPodSandbox(s).catch(() => undefined);
    await cri.removePodSandbox(s).catch(() => undefined);
  }
}

function podJson(name: string): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { automountServiceAccountToken: false, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: IMAGE, imagePullPolicy: 'Never', command: ['sleep', '3600'] }] } };
}

/** Creates the pods and resolves with each one's create → Ready time (ms), read from a watch. */
async function ktsPods(client: RestClient, names: string[]): Promise<number[]> {
  const started = new Map<string, number>();
  const ready = new Map<string, number>();
  const ac = new AbortController();
  const watching = client.watch(resourcePath('', 'v1', 'pods', 'default'), (e) => {
    const conds = (e.object.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    const name = e.object.metadata.name!;
    if (started.has(name) && !ready.has(name) && conds.some((c) => c.type === 'Ready' && c.status === 'True')) ready.set(name, performance.now() - started.get(name)!);
  }, ac.signal).catch(() => undefined);
  await sleep(200);
  await Promise.all(names.map(async (n) => {
    started.set(n, performance.now());
    await client.create(resourcePath('', 'v1', 'pods', 'default'), podJson(n));
  }));
  for (let i = 0; i < 1200 && ready.size < names.length; i++) await sleep(50);
  ac.abort();
  await watching;
  if (ready.size < names.length) throw new Error(`only ${ready.size}/${names.length} pods became Ready`);
  return names.map((n) => ready.get(n)!);
}

async function deleteAll(client: RestClient): Promise<void> {
  await client.call('DELETE', `${resourcePath('', 'v1', 'pods', 'default')}?gracePeriodSeconds=0`).catch(() => undefined);
  for (let i = 0; i < 600; i++) {
    if (!(await client.list(resourcePath('', 'v1', 'pods', 'default'))).items.length) return;
    await sleep(100);
  }
}

export async function nodeBench(): Promise<[string, string, string][]> {
  if (process.getuid?.() !== 0) return [['node benchmark', 'skipped (needs root)', '']];
  const base = mkdtempSync(join(tmpdir(), 'kts-bench-node-'));
  const dataDir = join(base, 'data');
  const procs: ChildProcess[] = [];
  const results: [string, string, string][] = [];
  try {
    const t0 = performance.now();
    const server = spawn(process.execPath, [join(root, 'bin', 'kts'), 'server', '--data-dir', dataDir, '--https-listen-port', '0', '--bind-address', '127.0.0.1', '--node-ip', '127.0.0.1', '--kubelet-port', '0', '--cluster-cidr', '10.201.0.0/16', '--node-name', 'bench', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
    procs.push(server);
    const kc = join(dataDir, 'admin.kubeconfig');
    for (let i = 0; i < 600 && !existsSync(kc); i++) await sleep(20);
    const text = readFileSync(kc, 'utf8');
    const field = (n: string) => Buffer.from(new RegExp(`${n}: (\\S+)`).exec(text)![1]!, 'base64').toString();
    const client = new RestClient({ server: /server: (\S+)/.exec(text)![1]!, caPem: field('certificate-authority-data'), certPem: field('client-certificate-data'), keyPem: field('client-key-data') });
    for (let i = 0; i < 600; i++) {
      const node = await client.get(resourcePath('', 'v1', 'nodes', undefined, 'bench')).catch(() => undefined);
      if (((node?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) break;
      await sleep(20);
    }
    results.push(['kts server start → node Ready', secs(performance.now() - t0), '≤ 5 s']);

    const tar = await buildBusyboxImage(base, IMAGE);
    const imp = spawnSync(process.execPath, [join(root, 'bin', 'kts'), 'image', 'import', '--data-dir', dataDir, tar], { encoding: 'utf8' });
    if (imp.status !== 0) throw new Error(`image import: ${imp.stderr}`);
    const cri = new CriClient(containerdPaths(dataDir).socket);

    // One at a time, alternating floor and kts so that noise hits both alike.
    const floor: number[] = [];
    const kts: number[] = [];
    const raws: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await rawPod(cri, i, 'seq');
      floor.push(r.ms);
      raws.push(r.sandbox);
      kts.push(...(await ktsPods(client, [`seq-${i}`])));
    }
    await removeRaw(cri, raws.splice(0));
    await deleteAll(client);
    results.push(['pod create → Ready, median (floor: straight CRI)', `${secs(pct(kts, 0.5))} (floor ${secs(pct(floor, 0.5))}, +${secs(pct(kts, 0.5) - pct(floor, 0.5))})`, 'within 0.15 s of the floor']);
    results.push(['pod create → Ready, p99', `${secs(pct(kts, 0.99))} (floor ${secs(pct(floor, 0.99))}, ${(pct(kts, 0.99) / pct(floor, 0.99)).toFixed(2)}x)`, '≤ 2x the floor']);

    // 30 at once.
    let t = performance.now();
    const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => rawPod(cri, i, 'par')));
    const floor30 = performance.now() - t;
    await removeRaw(cri, rs.map((r) => r.sandbox));
    t = performance.now();
    await ktsPods(client, Array.from({ length: 30 }, (_, i) => `par-${i}`));
    const kts30 = performance.now() - t;
    results.push(['30 pods at once, all Ready', `${secs(kts30)} (floor ${secs(floor30)}, ${(kts30 / floor30).toFixed(2)}x)`, '≤ 1.5x the floor']);
    // Steady state: the median of 15 one-second samples, taken once the start-up garbage is gone.
    await sleep(10_000);
    const samples: number[] = [];
    for (let i = 0; i < 15; i++, await sleep(1000)) samples.push(rssMb(server.pid!));
    results.push(['kts RSS with 30 pods, steady (containerd excluded)', `${pct(samples, 0.5).toFixed(0)} MB (peak ${Math.max(...samples).toFixed(0)} MB)`, '≤ 150 MB']);
    await deleteAll(client);
    cri.close();
    client.close();
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    spawnSync(process.execPath, [join(root, 'bin', 'kts'), 'cleanup', '--data-dir', dataDir], { stdio: 'ignore', timeout: 120_000 });
    rmSync(base, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'kts-bench-raw'), { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await nodeBench();
  for (const r of rows) console.log(`${r[0].padEnd(52)}  ${r[1].padEnd(36)}  ${r[2]}`);
}
