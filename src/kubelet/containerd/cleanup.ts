// `kts cleanup`: returns a node's host to the state before the agent ran (as k3s's killall
// script): every pod stopped and removed through CRI (which also releases IPs, CNI rules and
// hostPorts), containerd and leftover shims stopped, mounts under the node's folders unmounted,
// pod cgroups removed, then what CNI may still have left: IP records, veths, the bridge, iptables
// rules. Idempotent; meant to run with the agent stopped.
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../../util/log.js';
import { CriClient } from '../cri/client.js';
import { containerdPaths } from './paths.js';
import { checkHealth, waitCriInitialized } from './health.js';
import { findContainerd, findShims, isAlive, parentPid, processArgs, stopProcess } from './process.js';
import { startContainerd } from './supervisor.js';
import { removePodCgroups, unmountUnder } from './host-cleanup.js';
import { cniNames } from '../cni/conflist.js';
import { cleanupCniState, cleanupInterfaces, cleanupIptables } from '../cni/network-cleanup.js';

export interface CleanupOptions {
  dataDir: string;
  log: Logger;
  runRoot?: string;
  /** Folders whose entries are pod UIDs (the kubelet's pods dir): their cgroups go too. */
  podDirs?: string[];
  /** Chain name prefixes kts's own components create (kube-proxy). */
  chainPrefixes?: string[];
}

export interface CleanupReport {
  /** One line per kind of thing removed; empty when there was nothing to do. */
  lines: string[];
  /** Things that could not be removed. */
  errors: string[];
}

async function removeAllPods(cri: CriClient, uids: Set<string>): Promise<{ sandboxes: number; containers: number }> {
  const containers = await cri.listContainers();
  for (const c of containers) {
    if (c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_UNKNOWN') await cri.stopContainer(c.id, 0).catch(() => undefined);
    await cri.removeContainer(c.id);
  }
  const sandboxes = await cri.listPodSandbox();
  for (const s of sandboxes) {
    if (s.metadata?.uid) uids.add(s.metadata.uid);
    await cri.stopPodSandbox(s.id);
    await cri.removePodSandbox(s.id);
  }
  return { sandboxes: sandboxes.length, containers: containers.length };
}

export async function cleanupNode(o: CleanupOptions): Promise<CleanupReport> {
  const dataDir = resolve(o.dataDir);
  const paths = containerdPaths(dataDir, o.runRoot);
  const names = cniNames(dataDir);
  const lines: string[] = [];
  const errors: string[] = [];
  const uids = new Set<string>();
  for (const dir of o.podDirs ?? [join(dataDir, 'agent', 'kubelet', 'pods')]) {
    try {
      for (const n of await readdir(dir)) if (/^[0-9a-f-]{8,}$/i.test(n)) uids.add(n);
    } catch {
      // no pods dir
    }
  }

  // A live agent would restart containerd behind our back: it must be stopped first.
  for (const pid of findContainerd(paths.config)) {
    const parent = parentPid(pid);
    const argv = parent > 1 ? processArgs(parent) : undefined;
    if (argv && /(^|\/)(node|kts)$/.test(argv[0])) {
      return { lines: [], errors: [`the agent (pid ${parent}: ${argv.join(' ').slice(0, 80)}) still supervises containerd (pid ${pid}): stop it first`] };
    }
  }

  // 1. Pods through CRI: a running containerd is used; otherwise one is started for the job
  //    when containerd has records (a node that rebooted, or an agent killed with -9).
  const wasRunning = [...findContainerd(paths.config)];
  // A temporary containerd recreates its state folder: only an existing one is news.
  const hadRunDir = existsSync(paths.runDir);
  let temp: { ac: AbortController; done: Promise<void> } | undefined;
  let socket = paths.socket;
  const hasRecords = existsSync(join(paths.root, 'io.containerd.metadata.v1.bolt', 'meta.db'));
  if (!(await checkHealth(socket, 1000)) && hasRecords) {
    const ac = new AbortController();
    try {
      const r = await startContainerd({ dataDir, log: o.log, signal: ac.signal, runRoot: o.runRoot });
      socket = r.socket;
      temp = { ac, done: r.done };
    } catch (e) {
      errors.push(`containerd could not start to remove pods: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (await checkHealth(socket, 1000)) {
    const cri = new CriClient(socket, 60_000);
    try {
      // containerd answers its health check before the CRI plugin has initialized (a containerd
      // just started for the job, or by an agent a moment ago): wait for it.
      await waitCriInitialized(socket, 10_000);
      const n = await removeAllPods(cri, uids);
      if (n.sandboxes || n.containers) lines.push(`pods: removed ${n.sandboxes} pod sandbox(es) and ${n.containers} container(s)`);
    } catch (e) {
      errors.push(`removing pods through CRI: ${(e as Error).message}`);
    } finally {
      cri.close();
    }
  }
  if (temp) {
    temp.ac.abort();
    await temp.done;
  }

  // 2. containerd and shims.
  const running = findContainerd(paths.config);
  for (const pid of running) await stopProcess(pid);
  if (wasRunning.length) lines.push(`containerd: stopped pid ${wasRunning.join(', ')}`);
  await rm(paths.pidFile, { force: true });
  const shims = findShims(paths.socket);
  for (const pid of shims) await stopProcess(pid, 2000);
  // Container processes whose shim is gone keep running: their init pids are in the task bundles.
  const orphans: number[] = [];
  const tasks = join(paths.state, 'io.containerd.runtime.v2.task', 'k8s.io');
  try {
    for (const id of await readdir(tasks)) {
      for (const f of ['init.pid']) {
        try {
          const pid = Number((await readFile(join(tasks, id, f), 'utf8')).trim());
          if (pid > 1 && isAlive(pid)) {
            process.kill(pid, 'SIGKILL');
            orphans.push(pid);
          }
        } catch {
          // no pid file
        }
      }
    }
  } catch {
    // no task bundles
  }
  if (shims.length || orphans.length) lines.push(`shims: stopped ${shims.length} shim(s)${orphans.length ? ` and ${orphans.length} orphaned container process(es)` : ''}`);

  // 3. Mounts under the node's folders, then the runtime state folder itself.
  const unmounted = await unmountUnder([dataDir, paths.runDir]);
  if (unmounted.length) lines.push(`mounts: unmounted ${unmounted.length} (${summarize(unmounted)})`);
  if (existsSync(paths.runDir)) {
    await rm(paths.runDir, { recursive: true, force: true });
    if (hadRunDir) lines.push(`state: removed ${paths.runDir}`);
  }

  // 4. Pod cgroups.
  const cg = await removePodCgroups([...uids]);
  if (cg.removed.length) lines.push(`cgroups: removed ${cg.removed.length} pod cgroup(s) for ${uids.size} pod(s)`);
  errors.push(...cg.failed);

  // 5. CNI leftovers.
  const ips = await cleanupCniState(names.ipamDir, names.network);
  if (ips.length) lines.push(`cni: released ${ips.length} IP allocation(s) (${summarize(ips)})`);
  try {
    const links = await cleanupInterfaces(names.bridge);
    if (links.length) lines.push(`interfaces: removed ${links.join(', ')}`);
  } catch (e) {
    errors.push(`interfaces: ${(e as Error).message}`);
  }
  try {
    const ipt = await cleanupIptables(names.network, o.chainPrefixes);
    if (ipt.rules || ipt.chains) lines.push(`iptables: removed ${ipt.rules} rule(s) and ${ipt.chains} chain(s)`);
  } catch (e) {
    errors.push(`iptables: ${(e as Error).message}`);
  }
  return { lines, errors };
}

function summarize(items: string[], max = 3): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, …`;
}
