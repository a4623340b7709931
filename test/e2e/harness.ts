// E2E harness: starts the real bin/kts server on a random free port with a temp data dir, and runs
// the real kubectl against it with its own HOME (kubectl caches /version there). Every process
// started here is killed when the test ends.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, delimiter } from 'node:path';
import { request } from 'node:https';
import { until } from '../support/poll.js';
import { reserveClusterCidr } from '../support/cidr.js';

const root = new URL('../..', import.meta.url).pathname;
export const KTS_BIN = join(root, 'bin', 'kts');

export interface KtsServer {
  dataDir: string;
  home: string;
  kubeconfig: string;
  port: number;
  /** The service CIDR of a cluster with an agent (its own: Service addresses are kernel state that concurrent test clusters share). */
  serviceCidr?: string;
  proc: ChildProcess;
  logs: () => string;
  /** Runs kubectl (the dispatcher on PATH unless `bin` is given). */
  kubectl(args: string[], opts?: { input?: string; bin?: string; timeoutMs?: number; env?: Record<string, string> }): KubectlResult;
  /** Starts kubectl in the background (for -w). */
  kubectlBg(args: string[]): ChildProcess;
  /** Starts `kts agent --simulated` against this server with the node token; killed at cleanup. */
  startSimulatedAgent(args: string[]): ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Starts `kts server` on a random port with its own data dir. With `agent: true` the in-process
 * node agent runs too (real containerd; root only), with its own pod CIDR so that concurrent
 * test clusters do not collide, and `cleanup` runs `kts cleanup` for it.
 */
export async function startServer(opts: { extraArgs?: string[]; dataDir?: string; agent?: boolean } = {}): Promise<KtsServer> {
  const base = mkdtempSync(join(tmpdir(), 'kts-e2e-'));
  const dataDir = opts.dataDir ?? join(base, 'data');
  const home = join(base, 'home');
  const kubeconfig = join(dataDir, 'admin.kubeconfig');
  let output = '';
  const children: ChildProcess[] = [];
  let proc!: ChildProcess;
  let port = 0;

  // The ingress controller on random ports: concurrent test clusters must not fight over 80/443.
  const cidr = opts.agent ? reserveClusterCidr() : undefined;
  const given = (flag: string) => (opts.extraArgs ?? []).some((a) => a === flag || a.startsWith(`${flag}=`));
  const serviceCidr = cidr && !given('--service-cidr') ? cidr.serviceCidr : undefined;
  const agentArgs = cidr ? ['--node-ip', '127.0.0.1', '--kubelet-port', '0', '--cluster-cidr', cidr.podCidr, ...(serviceCidr ? ['--service-cidr', serviceCidr] : []), '--node-name', `node-${Math.random().toString(36).slice(2, 8)}`, '--ingress-http-port', '0', '--ingress-https-port', '0'] : ['--disable-agent'];
  const launch = async () => {
    if (existsSync(kubeconfig)) rmSync(kubeconfig);
    proc = spawn(process.execPath, [KTS_BIN, 'server', ...agentArgs, '--data-dir', dataDir, '--https-listen-port', String(port), '--bind-address', '127.0.0.1', ...(opts.extraArgs ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    const from = output.length;
    const deadline = Date.now() + 30_000;
    // With the agent, also wait for its containerd and node registration (image imports need them).
    const ready = () => /kts server is ready/.test(output.slice(from)) && (!opts.agent || /node \S+ registered/.test(output.slice(from)));
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`kts server exited (${proc.exitCode}):\n${output}`);
      if (ready() && existsSync(kubeconfig)) break;
      await sleep(50);
    }
    if (!existsSync(kubeconfig)) throw new Error(`kts server did not become ready:\n${output}`);
    const m = /server: https:\/\/[^:]+:(\d+)/.exec(readFileSync(kubeconfig, 'utf8'));
    port = Number(m![1]);
  };
  port = 0;
  await launch();
  const srv: KtsServer = {
    dataDir,
    home,
    kubeconfig,
    serviceCidr,
    get port() {
      return port;
    },
    get proc() {
      return proc;
    },
    logs: () => output,
    kubectl(args, o = {}) {
      const r = spawnSync(kubectlBinary(o.bin ?? 'kubectl'), args, { input: o.input, encoding: 'utf8', env: { ...kubectlEnv(home, kubeconfig), ...(o.env ?? {}) }, timeout: o.timeoutMs ?? 60_000 });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    startSimulatedAgent(args) {
      const token = readFileSync(join(dataDir, 'server', 'node-token'), 'utf8').trim();
      const c = spawn(process.execPath, [KTS_BIN, 'agent', '--simulated', '--server', `https://127.0.0.1:${port}`, '--token', token, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout!.on('data', (d) => (output += d));
      c.stderr!.on('data', (d) => (output += d));
      children.push(c);
      return c;
    },
    kubectlBg(args) {
      const c = spawn('kubectl', args, { env: kubectlEnv(home, kubeconfig), stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(c);
      return c;
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await exited;
    },
    async restart() {
      await srv.stop();
      await launch();
    },
    async cleanup() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await srv.stop('SIGKILL');
      if (opts.agent) {
        const r = spawnSync(process.execPath, [KTS_BIN, 'cleanup', '--data-dir', dataDir], { encoding: 'utf8', timeout: 120_000 });
        // A cleanup that fails leaves bridges, routes and rules behind for later clusters: say so.
        if (r.status !== 0) process.stderr.write(`kts cleanup --data-dir ${dataDir} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}\n`);
      }
      cidr?.release();
      rmSync(base, { recursive: true, force: true });
    },
  };
  return srv;
}

/** `kubectl.1.31` and friends live beside the file the `kubectl` dispatcher on PATH links to. */
export function kubectlBinary(bin: string): string {
  if (!bin.startsWith('kubectl.')) return bin;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, 'kubectl');
    if (existsSync(p)) return join(dirname(realpathSync(p)), bin);
  }
  return bin;
}

function kubectlEnv(home: string, kubeconfig: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, KUBECONFIG: kubeconfig };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `fn` returns a truthy value or the timeout passes (default 15 s). */
export function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  return until(fn, timeoutMs, what);
}

/** A raw HTTPS request to the server with the admin credentials from the kubeconfig. */
export function rawRequest(srv: KtsServer, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, auth = true): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const kc = readFileSync(srv.kubeconfig, 'utf8');
  const field = (name: string) => Buffer.from(new RegExp(`${name}: (\\S+)`).exec(kc)![1]!, 'base64').toString('utf8');
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: srv.port, path, method, headers: { ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...headers }, ca: field('certificate-authority-data'), cert: auth ? field('client-certificate-data') : undefined, key: auth ? field('client-key-data') : undefined },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export function writeTemp(srv: KtsServer, name: string, content: string): string {
  const p = join(srv.home, '..', name);
  writeFileSync(p, content);
  return p;
}
