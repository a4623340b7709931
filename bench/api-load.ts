// The API create load shared by the benchmarks (issue 2's create benchmark, and issue 8's on etcd):
// pod creates over HTTPS from N concurrent clients (keep-alive, client certificates), counted by
// 201 answers over a fixed time.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'node:https';

const root = new URL('..', import.meta.url).pathname;

export interface Conn {
  port: number;
  agent: Agent;
  ca: string;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function call(c: Conn, method: string, path: string, body?: string, timeoutMs?: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: c.port, method, path, agent: c.agent, timeout: timeoutMs, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

export function podJson(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench', tier: 'web' } },
    // A scheduler name no scheduler serves: this measures the API server's create path, not the
    // scheduler reacting to thousands of unschedulable pods (the cluster benchmark covers that).
    spec: { schedulerName: 'kts-bench-unscheduled', containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } }, env: [{ name: 'A', value: '1' }] }] },
  });
}

/**
 * The floor for writes: a bare Node HTTPS server (bench/floor-server.ts, with kts's serving
 * certificate) that only parses each JSON body and inserts it into SQLite as durably as kts.
 * Its process is added to `procs` for the caller to stop.
 */
export async function startFloor(dir: string, certs: { cert: string; key: string }, ca: string, procs: ChildProcess[]): Promise<{ conn: Conn; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'floor-server.ts'), dir, Buffer.from(certs.cert).toString('base64'), Buffer.from(certs.key).toString('base64')], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(proc);
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`floor server exited (${code})`)));
    proc.stdout!.on('data', (d: Buffer) => {
      const m = /port (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
  });
  return { conn: { port, agent: new Agent({ keepAlive: true, maxSockets: 64, ca }), ca }, proc };
}

/** Creates/s: `clients` loops each sending the next create when the last was answered. */
export async function createLoad(c: Conn, path: string, prefix: string, seconds: number, clients = 8): Promise<number> {
  return closedLoop(seconds, clients, async (w, i) => {
    const r = await call(c, 'POST', path, podJson(`${prefix}-${w}-${i}`));
    if (r.status === 201) return true;
    throw new Error(`create failed: ${r.status} ${r.body.slice(0, 200)}`);
  });
}

/**
 * `clients` concurrent loops calling `op(client, i)` until `seconds` have passed; the rate of
 * calls that resolved true. The first three failures are printed.
 */
export async function closedLoop(seconds: number, clients: number, op: (client: number, i: number) => Promise<boolean>): Promise<number> {
  let n = 0;
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, w) => {
      for (let i = 0; Date.now() < end; i++) {
        try {
          if (await op(w, i)) n++;
        } catch (e) {
          if (failed++ < 3) console.error((e as Error).message);
        }
      }
    }),
  );
  return n / seconds;
}

/** A connection with the admin client certificate of a kubeconfig written by `kts server`. */
export function connFromKubeconfig(path: string): Conn {
  const text = readFileSync(path, 'utf8');
  const field = (n: string) => Buffer.from(new RegExp(`${n}: (\\S+)`).exec(text)![1]!, 'base64').toString();
  const port = Number(/server: https:\/\/[^:]+:(\d+)/.exec(text)![1]);
  const ca = field('certificate-authority-data');
  return { port, agent: new Agent({ keepAlive: true, maxSockets: 64, ca, cert: field('client-certificate-data'), key: field('client-key-data') }), ca };
}

/** Starts `bin/kts server --disable-agent` (warn logs to stderr) and waits for its admin kubeconfig. */
export async function startKtsServer(dataDir: string, extraArgs: string[] = []): Promise<{ conn: Conn; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [join(root, 'bin', 'kts'), 'server', '--disable-agent', '--data-dir', dataDir, '--https-listen-port', '0', '--bind-address', '127.0.0.1', '--log-level', 'warn', ...extraArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
  const kc = join(dataDir, 'admin.kubeconfig');
  for (let i = 0; i < 600 && !existsSync(kc); i++) {
    if (proc.exitCode !== null) throw new Error(`kts server exited (${proc.exitCode})`);
    await sleep(50);
  }
  return { conn: connFromKubeconfig(kc), proc };
}
