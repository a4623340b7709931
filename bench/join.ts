// Joining a node (issue 7): `kts server --disable-agent`, a bootstrap token from `kts token
// create`, then `kts agent --server … --token … --ca-cert-hash …` with its own containerd: the
// time from starting the agent to its Node Ready (CA check, CSR for its client certificate,
// containerd start, registration, serving certificate). Needs root. Run alone:
// node --import tsx bench/join.ts
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const KTS = join(root, 'bin', 'kts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function joinBench(runs = 3): Promise<[string, string, string][]> {
  if (process.getuid?.() !== 0) return [['agent join', 'skipped (needs root)', '']];
  const base = mkdtempSync(join(tmpdir(), 'kts-bench-join-'));
  const procs: ChildProcess[] = [];
  const agentDirs: string[] = [];
  try {
    const dataDir = join(base, 'server');
    let log = '';
    const server = spawn(process.execPath, [KTS, 'server', '--disable-agent', '--data-dir', dataDir, '--https-listen-port', '0', '--bind-address', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(server);
    server.stdout!.on('data', (d) => (log += d));
    server.stderr!.on('data', (d) => (log += d));
    for (let i = 0; i < 600 && !/kts server is ready/.test(log); i++) await sleep(50);
    const kc = join(dataDir, 'admin.kubeconfig');
    if (!existsSync(kc)) throw new Error(`kts server did not start:\n${log}`);
    const created = spawnSync(process.execPath, [KTS, 'token', 'create', '--print-join-command', '--data-dir', dataDir], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`kts token create: ${created.stderr}`);
    const cmd = created.stdout.trim().split('\n').pop()!.split(/\s+/).slice(2); // after "kts agent"
    const env = { ...process.env, KUBECONFIG: kc, HOME: base };
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const name = `join-${r}`;
      const agentDir = join(base, name);
      agentDirs.push(agentDir);
      const t0 = Date.now();
      const agent = spawn(process.execPath, [KTS, 'agent', ...cmd, '--data-dir', agentDir, '--node-name', name, '--node-ip', '127.0.0.1', '--kubelet-port', '0'], { stdio: 'ignore' });
      procs.push(agent);
      let ready = false;
      for (let i = 0; i < 1200 && !ready; i++) {
        const g = spawnSync('kubectl', ['get', 'node', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], { encoding: 'utf8', env });
        ready = g.stdout === 'True';
        if (!ready) await sleep(50);
      }
      if (!ready) throw new Error(`node ${name} did not become Ready`);
      times.push((Date.now() - t0) / 1000);
      agent.kill('SIGTERM');
      await new Promise((res) => agent.once('exit', res));
      spawnSync(process.execPath, [KTS, 'cleanup', '--data-dir', agentDir], { stdio: 'ignore', timeout: 120_000 });
    }
    times.sort((a, b) => a - b);
    return [['`kts agent` join (real containerd) → Node Ready', `${times.map((t) => t.toFixed(1)).join(' / ')} s (${runs} joins)`, '≤ 10 s']];
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    for (const d of agentDirs) spawnSync(process.execPath, [KTS, 'cleanup', '--data-dir', d], { stdio: 'ignore', timeout: 120_000 });
    rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const r of await joinBench()) console.log(r.join('  '));
