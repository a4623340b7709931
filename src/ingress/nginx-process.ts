// Runs and supervises nginx (Debian's package) as the ingress data plane: starts the master in the
// foreground with our config, checks every new config with `nginx -t` before swapping it in and
// reloading (SIGHUP: new workers take new connections, old ones finish theirs), restarts nginx if
// it dies, replaces one a killed kts left behind, and stops it when the signal aborts.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile, rename, readFile, chown } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join, delimiter } from 'node:path';
import type { Logger } from '../util/log.js';
import { findProcesses, isAlive, stopProcess } from '../util/process.js';
import { sleep } from '../util/sleep.js';

/** nginx on PATH (or in /usr/sbin, which a non-login root PATH may lack); undefined when absent. */
export function findNginx(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((d) => join(d, 'nginx')).find((p) => existsSync(p));
}

export interface NginxOptions {
  binary: string;
  /** Prefix: config, pid file, temp directories. */
  dir: string;
  /** A port nginx listens on once started (readiness check). */
  probePort: number;
  log: Logger;
}

const NOBODY = 65534;

export class NginxProcess {
  private child: ChildProcess | undefined;
  private current = '';
  private queue: Promise<unknown> = Promise.resolve();
  readonly done: Promise<void>;
  private readonly confPath: string;

  private constructor(private readonly o: NginxOptions, private readonly signal: AbortSignal, started: Promise<void>) {
    this.confPath = join(o.dir, 'nginx.conf');
    this.done = started.then(() => this.supervise());
  }

  /** Starts nginx with `config` (checked first); rejects when it does not start. */
  static async start(o: NginxOptions, config: string, signal: AbortSignal): Promise<NginxProcess> {
    await mkdir(join(o.dir, 'tmp'), { recursive: true, mode: 0o700 });
    // Workers run as nobody when the master is root; they may spill bodies to the temp dirs.
    if (process.getuid?.() === 0) await chown(join(o.dir, 'tmp'), NOBODY, NOBODY).catch(() => undefined);
    await stopLeftovers(join(o.dir, 'nginx.conf'), o.log);
    let resolveStarted!: () => void;
    const p = new NginxProcess(o, signal, new Promise<void>((r) => (resolveStarted = r)));
    const err = await p.check(config);
    if (err) throw new Error(`nginx rejected the generated configuration: ${err}`);
    await writeFile(p.confPath, config, { mode: 0o600 });
    p.current = config;
    await p.launch();
    resolveStarted();
    return p;
  }

  /** Swaps in a new configuration (serialized); false when nginx rejects it (the old one stays). */
  apply(config: string): Promise<boolean> {
    const next = this.queue.then(async () => {
      if (config === this.current || this.signal.aborted) return true;
      const err = await this.check(config);
      if (err) {
        this.o.log.error(`nginx rejected the new configuration, keeping the previous one: ${err}`);
        return false;
      }
      await writeFile(`${this.confPath}.new`, config, { mode: 0o600 });
      await rename(`${this.confPath}.new`, this.confPath);
      this.current = config;
      if (this.child?.pid && this.child.exitCode === null) process.kill(this.child.pid, 'SIGHUP');
      return true;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** `nginx -t` on a candidate config; the error text, or undefined when it is fine. */
  private async check(config: string): Promise<string | undefined> {
    const path = join(this.o.dir, 'nginx.check.conf');
    await writeFile(path, config, { mode: 0o600 });
    const r = spawnSync(this.o.binary, ['-t', '-q', '-e', 'stderr', '-p', `${this.o.dir}/`, '-c', path], { encoding: 'utf8', timeout: 30_000 });
    if (r.error) return r.error.message;
    return r.status === 0 ? undefined : (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-3).join('; ');
  }

  private async launch(): Promise<void> {
    let stderrTail = '';
    const c = spawn(this.o.binary, ['-e', 'stderr', '-p', `${this.o.dir}/`, '-c', this.confPath], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.child = c;
    c.stderr!.setEncoding('utf8');
    c.stderr!.on('data', (d: string) => {
      stderrTail = (stderrTail + d).slice(-2000);
      for (const line of d.split('\n')) if (line.trim()) this.o.log.warn(`nginx: ${line.replace(/^\S+ \S+ /, '')}`);
    });
    await new Promise<void>((resolve, reject) => {
      c.once('spawn', resolve);
      c.once('error', reject);
    });
    // Ready when it accepts connections; an exit before that is a failed start.
    for (let i = 0; i < 200; i++) {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`nginx exited at start: ${stderrTail.trim() || c.exitCode}`);
      if (await accepts(this.o.probePort)) return;
      await sleep(25);
    }
    throw new Error('nginx did not start listening within 5 s');
  }

  private async supervise(): Promise<void> {
    let backoff = 1000;
    while (!this.signal.aborted) {
      const c = this.child!;
      const exited = new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
      const aborted = new Promise<void>((r) => this.signal.addEventListener('abort', () => r(), { once: true }));
      await Promise.race([exited, aborted]);
      if (this.signal.aborted) break;
      this.o.log.error(`nginx exited (${c.signalCode ?? `code ${c.exitCode}`}); restarting in ${backoff / 1000} s`);
      await sleep(backoff, this.signal).catch(() => undefined);
      backoff = Math.min(backoff * 2, 30_000);
      if (this.signal.aborted) break;
      try {
        await this.launch();
        backoff = 1000;
      } catch (e) {
        this.o.log.error(`restarting nginx: ${(e as Error).message}`);
      }
    }
    // Fast shutdown (SIGTERM): workers close their connections and exit.
    if (this.child?.pid) await stopProcess(this.child.pid, 5000);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** nginx masters started with this config by a kts that was killed: stopped, so the ports are free. */
async function stopLeftovers(confPath: string, log: Logger): Promise<void> {
  const pids = new Set(findNginxMasters(confPath));
  try {
    const pid = Number((await readFile(join(confPath, '..', 'nginx.pid'), 'utf8')).trim());
    if (pid > 0 && isAlive(pid) && findNginxMasters(confPath).includes(pid)) pids.add(pid);
  } catch {
    // no pid file
  }
  for (const pid of pids) {
    log.info(`stopping nginx (pid ${pid}) left by a previous run`);
    await stopProcess(pid, 5000);
  }
}

/** nginx master processes running the config at `confPath`. */
export function findNginxMasters(confPath: string): number[] {
  return findProcesses((a) => {
    const line = a.join(' ');
    return /nginx: master process|(^|\/)nginx( |$)/.test(line) && line.includes(confPath) && !line.includes(' -t ');
  });
}
