// Real etcd servers for tests: Debian's etcd-server binary on random loopback ports with a data dir
// in tmpfs (fsync there costs nothing), fast elections, optionally TLS with client certificates.
// A cluster of several members is supported (to take a member's quorum away). Every process is
// killed and every directory removed at cleanup, and at process exit should a test die first.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdTlsFiles {
  certFile: string;
  keyFile: string;
  /** CA that client certificates must chain to (etcd's --client-cert-auth). */
  clientCaFile: string;
}

export interface EtcdMember {
  name: string;
  /** http(s)://127.0.0.1:PORT */
  endpoint: string;
  /** Kills the member (SIGKILL by default) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports and data dir; resolves when it serves clients. */
  start(): Promise<void>;
  logs(): string;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** The first member's endpoint. */
  endpoint: string;
  endpoints: string[];
  cleanup(): Promise<void>;
}

const BIN_DIRS = ['/usr/bin', '/usr/local/bin', '/usr/sbin'];

/** The etcd binary, or a clear failure: these tests need a real etcd and never skip silently. */
export function etcdBinary(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' }).stdout.trim();
  const found = onPath || BIN_DIRS.map((d) => join(d, 'etcd')).find((p) => existsSync(p));
  if (found) return found;
  const how = process.getuid?.() === 0 ? '`apt-get install -y etcd-server` (npm test installs it when run as root)' : 'as root: `apt-get install -y etcd-server`, or run `npm test` as root, which installs it';
  throw new Error(`etcd is not installed: these tests run against a real etcd server (Debian package etcd-server). Install it with ${how}.`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Starts an etcd cluster of `members` (default 1) and waits until every member serves clients. */
export async function startEtcd(opts: {
  members?: number;
  tls?: EtcdTlsFiles;
  readyTimeoutMs?: number;
  /** Where the data dirs go (default tmpfs; benchmarks give a directory on disk, where fsync costs what it does in use). */
  parentDir?: string;
  /** etcd's own heartbeat and election timeouts (100 ms, 1 s) instead of the tests' fast ones. */
  defaultTimeouts?: boolean;
} = {}): Promise<EtcdCluster> {
  const bin = etcdBinary();
  const base = mkdtempSync(join(opts.parentDir ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()), 'kts-etcd-'));
  const count = opts.members ?? 1;
  const scheme = opts.tls ? 'https' : 'http';
  const specs = [];
  for (let i = 0; i < count; i++) specs.push({ name: `m${i}`, client: await freePort(), peer: await freePort() });
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const token = `kts-test-${specs[0]!.client}`;
  const members: (EtcdMember & { proc?: ChildProcess })[] = specs.map((s) => {
    const dataDir = join(base, s.name);
    let output = '';
    const m: EtcdMember & { proc?: ChildProcess } = {
      name: s.name,
      endpoint: `${scheme}://127.0.0.1:${s.client}`,
      logs: () => output,
      async start() {
        const args = [
          '--name', s.name, '--data-dir', dataDir,
          '--listen-client-urls', m.endpoint, '--advertise-client-urls', m.endpoint,
          '--listen-peer-urls', `http://127.0.0.1:${s.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${s.peer}`,
          '--initial-cluster', initialCluster, '--initial-cluster-token', token,
          // Fast elections: a fresh member leads within ~100 ms; loopback needs no slack.
          ...(opts.defaultTimeouts ? [] : ['--heartbeat-interval', '10', '--election-timeout', '100']),
          '--logger', 'zap', '--log-outputs', 'stderr',
          ...(opts.tls ? ['--cert-file', opts.tls.certFile, '--key-file', opts.tls.keyFile, '--trusted-ca-file', opts.tls.clientCaFile, '--client-cert-auth'] : []),
        ];
        const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        m.proc = proc;
        live.add(proc);
        proc.once('exit', () => live.delete(proc));
        const from = output.length;
        proc.stderr!.on('data', (d) => (output += d));
        const deadline = Date.now() + (opts.readyTimeoutMs ?? 15_000);
        while (!/serving client traffic|ready to serve client requests/.test(output.slice(from))) {
          if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`etcd ${s.name} exited (${proc.exitCode ?? proc.signalCode}):\n${output.slice(from)}`);
          if (Date.now() > deadline) throw new Error(`etcd ${s.name} did not become ready:\n${output.slice(from)}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      },
      async stop(signal = 'SIGKILL') {
        const p = m.proc;
        if (!p || p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise((r) => p.once('exit', r));
        p.kill(signal);
        await exited;
      },
    };
    return m;
  });
  const cluster: EtcdCluster = {
    members,
    endpoint: members[0]!.endpoint,
    endpoints: members.map((m) => m.endpoint),
    async cleanup() {
      await Promise.all(members.map((m) => m.stop()));
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    // Members of a new cluster wait for each other's quorum, so they start together.
    await Promise.all(members.map((m) => m.start()));
  } catch (e) {
    await cluster.cleanup();
    throw e;
  }
  return cluster;
}

/** Writes PEM strings to files in a temp dir (etcd reads its certificates from files). */
export function writePemFiles(files: Record<string, string>): { dir: string; paths: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'kts-etcd-tls-'));
  const paths: Record<string, string> = {};
  for (const [name, pem] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name]!, pem, { mode: 0o600 });
  }
  return { dir, paths };
}
