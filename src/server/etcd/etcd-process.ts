// Runs and supervises one etcd member (Debian's etcd-server, /usr/bin/etcd) as a child of kts:
// its output is appended to a log file, it is restarted with back-off if it dies while the server
// runs, and stopped (SIGTERM, then SIGKILL) when the signal aborts. So that a kill -9 of kts does
// not leave it running, it is started through util-linux's `setpriv --pdeathsig KILL` (the kernel
// kills it when kts dies), and a member a killed kts left behind anyway is stopped at start.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, statSync } from 'node:fs';
import type { Logger } from '../../util/log.js';
import { findProcesses, stopProcess } from '../../util/process.js';
import { sleep } from '../../util/sleep.js';

export const ETCD_BINARY = '/usr/bin/etcd';
const SETPRIV = '/usr/bin/setpriv';

export interface EtcdProcessOptions {
  binary: string;
  args: string[];
  /** Arguments for the first start only, not for restarts (--force-new-cluster must not repeat). */
  firstStartArgs?: string[];
  /** etcd's --data-dir (also how a leftover member is recognised). */
  dataDir: string;
  logFile: string;
  /** True once the member answers clients. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  log: Logger;
}

/** A clear error when the etcd binary is missing, saying how to install it. */
export function checkEtcdBinary(binary = ETCD_BINARY): string {
  if (existsSync(binary)) return binary;
  throw new Error(`embedded etcd needs ${binary}, which is not installed: install Debian's etcd-server package (apt-get install -y etcd-server), then disable the system etcd service it starts (systemctl disable --now etcd)`);
}

export class EtcdProcess {
  private child: ChildProcess | undefined;
  private startedAt = 0;
  readonly done: Promise<void>;

  private constructor(private readonly o: EtcdProcessOptions, private readonly signal: AbortSignal, started: Promise<void>) {
    this.done = started.then(() => this.supervise());
  }

  /** Starts the member and waits until it serves clients; rejects (member stopped) when it does not. */
  static async start(o: EtcdProcessOptions, signal: AbortSignal): Promise<EtcdProcess> {
    for (const pid of findEtcdProcesses(o.dataDir)) {
      o.log.info(`stopping etcd (pid ${pid}) left by a previous run`);
      await stopProcess(pid, 10_000);
    }
    let resolveStarted!: () => void;
    const p = new EtcdProcess(o, signal, new Promise<void>((r) => (resolveStarted = r)));
    try {
      await p.launch(true);
      await p.waitReady();
    } catch (e) {
      if (p.child?.pid) await stopProcess(p.child.pid, 5000);
      throw e;
    }
    resolveStarted();
    return p;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async launch(first = false): Promise<void> {
    const fd = openSync(this.o.logFile, 'a', 0o600);
    const etcdArgs = first ? [...this.o.args, ...(this.o.firstStartArgs ?? [])] : this.o.args;
    const [cmd, args] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', this.o.binary, ...etcdArgs]] : [this.o.binary, etcdArgs];
    try {
      const c = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
      this.child = c;
      this.startedAt = Date.now();
      await new Promise<void>((resolve, reject) => {
        c.once('spawn', resolve);
        c.once('error', reject);
      });
    } finally {
      closeSync(fd);
    }
  }

  private exited(): boolean {
    const c = this.child!;
    return c.exitCode !== null || c.signalCode !== null;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + (this.o.readyTimeoutMs ?? 60_000);
    const from = existsSync(this.o.logFile) ? statSync(this.o.logFile).size : 0;
    while (!(await this.o.ready())) {
      if (this.exited()) throw new Error(`etcd exited at start (${this.child!.signalCode ?? `code ${this.child!.exitCode}`}): ${this.tail(from)}`);
      if (Date.now() > deadline || this.signal.aborted) throw new Error(`etcd did not serve clients within ${(this.o.readyTimeoutMs ?? 60_000) / 1000} s; see ${this.o.logFile}: ${this.tail(from)}`);
      await sleep(200);
    }
  }

  /** The last lines etcd wrote (its fatal error, usually), for an error message. */
  private tail(from = 0): string {
    try {
      const text = readFileSync(this.o.logFile, 'utf8').slice(from);
      return text.trim().split('\n').slice(-3).map((l) => l.replace(/^\{.*"msg":"([^"]*)".*?("error":"[^"]*")?.*\}$/, '$1 $2').trim()).join('; ');
    } catch {
      return '(no log)';
    }
  }

  private async supervise(): Promise<void> {
    let backoff = 1000;
    while (!this.signal.aborted) {
      const c = this.child!;
      const exited = new Promise<void>((r) => (this.exited() ? r() : c.once('exit', () => r())));
      const aborted = new Promise<void>((r) => this.signal.addEventListener('abort', () => r(), { once: true }));
      await Promise.race([exited, aborted]);
      if (this.signal.aborted) break;
      // A member that had been up for a minute starts the back-off over.
      if (Date.now() - this.startedAt > 60_000) backoff = 1000;
      this.o.log.error(`etcd exited (${c.signalCode ?? `code ${c.exitCode}`}): ${this.tail()}; restarting in ${backoff / 1000} s`);
      await sleep(backoff, this.signal);
      backoff = Math.min(backoff * 2, 30_000);
      if (this.signal.aborted) break;
      try {
        await this.launch();
        this.o.log.info(`etcd restarted (pid ${this.child!.pid})`);
      } catch (e) {
        this.o.log.error(`restarting etcd: ${(e as Error).message}`);
      }
    }
    if (this.child?.pid && !this.exited()) {
      await stopProcess(this.child.pid, 10_000);
      this.o.log.info('etcd stopped');
    }
  }
}

/** etcd processes running on `dataDir` (a member a killed kts left behind). */
export function findEtcdProcesses(dataDir: string): number[] {
  return findProcesses((a) => /(^|\/)etcd$/.test(a[0] ?? '') && a.some((arg, i) => (arg === '--data-dir' && a[i + 1] === dataDir) || arg === `--data-dir=${dataDir}`));
}
