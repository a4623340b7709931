// Runs the node's containerd: writes its config, replaces one a killed agent left behind, starts
// it, waits until it answers, restarts it with backoff when it dies, and stops it (never the
// containers: shims live on and the next containerd reconnects to them) when the signal aborts.
// With `endpoint` (--container-runtime-endpoint) nothing is launched: the socket is only checked.
import { spawn } from 'node:child_process';
import { sleep } from '../../util/sleep.js';
import type { ChildProcess } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import type { Logger } from '../../util/log.js';
import { writeFileAtomic } from '../../util/fs.js';
import { containerdPaths } from './paths.js';
import type { ContainerdPaths } from './paths.js';
import { findCniBinDir, renderContainerdConfig } from './config.js';
import { applyRegistries } from './registries.js';
import { checkHealth, waitCriInitialized } from './health.js';
import { findContainerd, isAlive, stopProcess } from './process.js';
import { PAUSE_IMAGE } from '../images/pause-image.js';

export { PAUSE_IMAGE };

export interface StartContainerdOptions {
  dataDir: string;
  log: Logger;
  signal: AbortSignal;
  /** Use this CRI socket (unix path or unix:// URL) instead of launching containerd. */
  endpoint?: string;
  sandboxImage?: string;
  containerdBin?: string;
  /** Root of the per-data-dir runtime folders (default /run/kts). */
  runRoot?: string;
  startTimeoutMs?: number;
}

export interface RunningContainerd {
  /** Unix socket path of the CRI endpoint. */
  socket: string;
  /** Settles once containerd has stopped after the signal aborted. */
  done: Promise<void>;
}

/** Writes config.toml and the registry hosts files for `dataDir`; returns the paths. */
export async function prepareContainerd(dataDir: string, sandboxImage = PAUSE_IMAGE, runRoot?: string): Promise<ContainerdPaths> {
  const paths = containerdPaths(dataDir, runRoot);
  for (const d of [paths.dir, paths.root, paths.runDir, paths.state, paths.cniConfDir, paths.imagesDir]) await mkdir(d, { recursive: true });
  const registryAuth = await applyRegistries(paths.registriesFile, paths.certsDir);
  const text = renderContainerdConfig({ paths, sandboxImage, cniBinDir: findCniBinDir(), registryAuth });
  await writeFileAtomic(paths.config, text, 0o600);
  return paths;
}

async function waitHealthy(socket: string, until: () => string | undefined, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await checkHealth(socket, 1000))) {
    const why = until();
    if (why) throw new Error(why);
    if (signal.aborted) throw new Error('aborted while waiting for containerd');
    if (Date.now() > deadline) throw new Error(`containerd did not answer on ${socket} within ${timeoutMs} ms`);
    await sleep(100, signal);
  }
  if (!(await waitCriInitialized(socket, Math.max(deadline - Date.now(), 1000), signal, until))) {
    const why = until();
    if (why) throw new Error(why);
    if (signal.aborted) throw new Error('aborted while waiting for containerd');
    throw new Error(`containerd's CRI plugin did not initialize within ${timeoutMs} ms`);
  }
}

async function logTail(file: string, lines = 15): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Stops containerd processes of this data dir that no live supervisor owns (an agent killed with -9). */
async function replaceLeftover(paths: ContainerdPaths, log: Logger): Promise<void> {
  const pids = new Set(findContainerd(paths.config));
  try {
    const pid = Number((await readFile(paths.pidFile, 'utf8')).trim());
    if (pid > 0 && isAlive(pid) && findContainerd(paths.config).includes(pid)) pids.add(pid);
  } catch {
    // no pid file
  }
  for (const pid of pids) {
    log.info(`stopping containerd (pid ${pid}) left by a previous agent; its containers keep running`);
    await stopProcess(pid);
  }
}

export async function startContainerd(o: StartContainerdOptions): Promise<RunningContainerd> {
  const { log, signal } = o;
  if (o.endpoint) {
    const socket = o.endpoint.replace(/^unix:\/\//, '');
    if (/^[a-z]+:\/\//.test(socket)) throw new Error(`--container-runtime-endpoint: only unix sockets are supported (got ${o.endpoint})`);
    if (!(await checkHealth(socket, o.startTimeoutMs ?? 5000))) throw new Error(`the container runtime at ${socket} does not answer`);
    if (!(await waitCriInitialized(socket, o.startTimeoutMs ?? 30_000, signal))) throw new Error(`the container runtime at ${socket} answers, but its CRI service did not initialize`);
    log.info(`using the container runtime at ${socket}`);
    return { socket, done: new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true }))) };
  }
  const paths = await prepareContainerd(o.dataDir, o.sandboxImage, o.runRoot);
  await replaceLeftover(paths, log);
  const bin = o.containerdBin ?? 'containerd';
  const timeoutMs = o.startTimeoutMs ?? 30_000;

  let child: ChildProcess | undefined;
  let exited: string | undefined;
  const launch = async (): Promise<ChildProcess> => {
    await rm(paths.socket, { force: true });
    await rm(`${paths.socket}.ttrpc`, { force: true });
    const out = await open(paths.log, 'a');
    exited = undefined;
    // Own process group: a Ctrl-C meant for kts must not reach containerd before we stop it.
    const c = spawn(bin, ['-c', paths.config], { stdio: ['ignore', out.fd, out.fd], detached: true });
    const spawned = new Promise<void>((resolve, reject) => {
      c.once('spawn', resolve);
      c.once('error', reject);
    });
    try {
      await spawned;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `${bin} not found: install Debian's containerd package` : `starting ${bin}: ${(e as Error).message}`, { cause: e });
    } finally {
      await out.close();
    }
    c.once('exit', (code, sig) => (exited = `containerd exited (${sig ?? `code ${code}`})`));
    await writeFile(paths.pidFile, `${c.pid}\n`);
    return c;
  };
  const startOnce = async () => {
    child = await launch();
    try {
      await waitHealthy(paths.socket, () => exited, timeoutMs, signal);
    } catch (e) {
      if (child.exitCode === null && child.signalCode === null) await stopProcess(child.pid!, 2000);
      throw new Error(`${(e as Error).message}; last lines of ${paths.log}:\n${await logTail(paths.log)}`, { cause: e });
    }
  };
  const started = Date.now();
  await startOnce();
  log.info(`containerd (pid ${child!.pid}) is serving on ${paths.socket}`);

  const supervise = async () => {
    let backoff = 1000;
    let since = started;
    while (!signal.aborted) {
      const c = child!;
      if (c.exitCode === null && c.signalCode === null) {
        await new Promise<void>((resolve) => {
          const onAbort = () => resolve();
          signal.addEventListener('abort', onAbort, { once: true });
          c.once('exit', () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          });
        });
      }
      if (signal.aborted) break;
      if (Date.now() - since > 60_000) backoff = 1000;
      log.warn(`${exited ?? 'containerd exited'}; restarting in ${backoff} ms (see ${paths.log})`);
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 30_000);
      if (signal.aborted) break;
      try {
        since = Date.now();
        await startOnce();
        log.info(`containerd restarted (pid ${child!.pid})`);
      } catch (e) {
        log.error(`containerd restart failed: ${(e as Error).message}`);
      }
    }
    const c = child!;
    if (c.exitCode === null && c.signalCode === null) {
      log.info('stopping containerd (containers keep running)');
      await stopProcess(c.pid!);
    }
    await rm(paths.pidFile, { force: true });
  };
  return { socket: paths.socket, done: supervise() };
}
