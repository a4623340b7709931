// Integration: a real containerd in a temp data dir (root only; CI runs as root with the Debian
// packages installed by scripts). Pause image built and imported, a busybox pod reachable from
// the host on its IP, the pod surviving a restart of the supervisor and a supervisor killed with
// -9, then `cleanup` leaving nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../util/log.js';
import { CriClient } from '../cri/client.js';
import { startContainerd } from './supervisor.js';
import type { RunningContainerd } from './supervisor.js';
import { containerdPaths } from './paths.js';
import { findContainerd, findShims, isAlive } from './process.js';
import { execFileSync } from 'node:child_process';
import { cgroupHierarchies, podCgroupPaths } from './host-cleanup.js';
import { writeNodeCniConfig, cniNames } from '../cni/conflist.js';
import { ensurePauseImage, importArchive, importArchiveFolder } from '../images/import.js';
import { copyFileSync } from 'node:fs';
import { PAUSE_IMAGE } from '../images/pause-image.js';
import { cleanupNode } from './cleanup.js';
import { buildBusyboxImage } from '../../../test/support/images.js';

const skip = process.getuid?.() !== 0 ? 'needs root (containerd, CNI, cgroups)' : false;
const IMAGE = 'kts.test/busybox:1';
const base = mkdtempSync(join(tmpdir(), 'kts-rt-'));
const dataDir = join(base, 'data');
const podCidr = `10.${200 + (randomBytes(1)[0] % 50)}.${randomBytes(1)[0]}.0/24`;
let ac = new AbortController();
let rt: RunningContainerd;
let cri: CriClient;

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function eventually<T>(f: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}: ${String(last)}`);
}

before(async () => {
  if (skip) return;
  rt = await startContainerd({ dataDir, log: silentLogger, signal: ac.signal });
  cri = new CriClient(rt.socket);
});

let cleaned = false;
after(async () => {
  if (skip) return;
  ac.abort();
  await rt?.done;
  cri?.close();
  // A failed test must not leave pods, containerd or rules on a shared machine.
  if (!cleaned) await cleanupNode({ dataDir, log: silentLogger }).catch(() => undefined);
  rmSync(base, { recursive: true, force: true });
});

let podIp = '';
let sandboxId = '';
const uid = randomBytes(8).toString('hex');

test('pause image is built and imported; a busybox pod gets an IP reachable from the host', { skip }, async () => {
  await ensurePauseImage({ socket: rt.socket, images: cri, log: silentLogger });
  assert.ok(await cri.imageStatus(PAUSE_IMAGE), 'pause image present');
  const tar = await buildBusyboxImage(base, IMAGE);
  assert.deepEqual(await importArchive(rt.socket, tar), [IMAGE]);
  // Archives in <data-dir>/agent/images are imported once: the second start skips them.
  const paths = containerdPaths(dataDir);
  copyFileSync(tar, join(paths.imagesDir, 'busybox.tar'));
  const stateFile = join(base, 'imported.json');
  await cri.removeImage(IMAGE);
  assert.deepEqual(await importArchiveFolder({ socket: rt.socket, dir: paths.imagesDir, stateFile, images: cri, log: silentLogger }), [IMAGE]);
  assert.deepEqual(await importArchiveFolder({ socket: rt.socket, dir: paths.imagesDir, stateFile, images: cri, log: silentLogger }), []);
  assert.ok(await cri.imageStatus(IMAGE));
  await writeNodeCniConfig(dataDir, podCidr);
  const sandboxConfig = {
    metadata: { name: 'web', namespace: 'default', uid, attempt: 0 },
    hostname: 'web',
    logDirectory: join(base, 'logs', uid),
    linux: { cgroupParent: `/kubepods/besteffort/pod${uid}` },
  };
  // containerd picks the conflist up asynchronously.
  sandboxId = await eventually(() => cri.runPodSandbox(sandboxConfig), 10_000, 'RunPodSandbox with the CNI config');
  const id = await cri.createContainer(sandboxId, {
    metadata: { name: 'httpd', attempt: 0 },
    image: { image: IMAGE },
    command: ['sh', '-c', 'mkdir -p /www && echo pod-ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
    logPath: 'httpd/0.log',
  }, sandboxConfig);
  await cri.startContainer(id);
  podIp = (await cri.podSandboxStatus(sandboxId)).status.network?.ip ?? '';
  const prefix = podCidr.split('.').slice(0, 3).join('.') + '.';
  assert.ok(podIp.startsWith(prefix), `pod IP ${podIp} in ${podCidr}`);
  assert.equal(await eventually(() => httpGet(podIp, 8080), 10_000, 'HTTP from the pod'), 'pod-ok\n');
  assert.ok(existsSync(join(cniNames(dataDir).ipamDir, cniNames(dataDir).network)), 'host-local records IPs under the data dir');
});

test('the pod survives a restart of the supervisor (containerd reconnects to the shims)', { skip }, async () => {
  ac.abort();
  await rt.done;
  assert.deepEqual(findContainerd(containerdPaths(dataDir).config), []);
  assert.equal(await httpGet(podIp, 8080), 'pod-ok\n', 'the container serves while containerd is down');
  ac = new AbortController();
  rt = await startContainerd({ dataDir, log: silentLogger, signal: ac.signal });
  const [c] = await cri.listContainers({ podSandboxId: sandboxId });
  assert.equal(c?.state, 'CONTAINER_RUNNING');
  assert.equal(await httpGet(podIp, 8080), 'pod-ok\n');
});

test('a containerd that dies is restarted; an existing endpoint is used without a launch', { skip }, async () => {
  const paths = containerdPaths(dataDir);
  const [before] = findContainerd(paths.config);
  process.kill(before!, 'SIGKILL');
  const after = await eventually(async () => {
    const [pid] = findContainerd(paths.config);
    return pid && pid !== before && (await cri.version()).runtimeName === 'containerd' ? pid : undefined;
  }, 15_000, 'containerd restarted');
  assert.ok(after);
  const [c] = await cri.listContainers({ podSandboxId: sandboxId });
  assert.equal(c?.state, 'CONTAINER_RUNNING');
  const other = new AbortController();
  const existing = await startContainerd({ dataDir: join(base, 'unused'), log: silentLogger, signal: other.signal, endpoint: `unix://${rt.socket}` });
  assert.equal(existing.socket, rt.socket);
  assert.ok(!existsSync(join(base, 'unused')), 'nothing prepared or launched for an external endpoint');
  other.abort();
  await existing.done;
  assert.deepEqual(findContainerd(paths.config), [after], 'the external runtime keeps running');
  // cleanup refuses to run under a live supervisor (it would restart containerd).
  const refused = await cleanupNode({ dataDir, log: silentLogger });
  assert.deepEqual(refused.lines, []);
  assert.match(refused.errors.join(), /still supervises containerd .*: stop it first/);
  assert.deepEqual(findContainerd(paths.config), [after]);
});

test('a containerd left by an agent killed with -9 is replaced, the pod keeps running', { skip }, async () => {
  ac.abort();
  await rt.done;
  const script = `import { startContainerd } from ${JSON.stringify(new URL('./supervisor.ts', import.meta.url).pathname)};
import { silentLogger } from ${JSON.stringify(new URL('../../util/log.ts', import.meta.url).pathname)};
const r = await startContainerd({ dataDir: ${JSON.stringify(dataDir)}, log: silentLogger, signal: new AbortController().signal });
console.log('ready ' + r.socket);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: new URL('../../..', import.meta.url).pathname });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => /ready/.test(String(d)) && resolve());
    child.once('exit', (code) => reject(new Error(`helper exited ${code}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const paths = containerdPaths(dataDir);
  const orphan = Number(readFileSync(paths.pidFile, 'utf8'));
  assert.ok(isAlive(orphan), 'containerd outlives its killed agent');
  ac = new AbortController();
  rt = await startContainerd({ dataDir, log: silentLogger, signal: ac.signal });
  assert.ok(!isAlive(orphan), 'the leftover containerd was stopped');
  assert.equal(findContainerd(paths.config).length, 1);
  const [c] = await cri.listContainers({ podSandboxId: sandboxId });
  assert.equal(c?.state, 'CONTAINER_RUNNING');
  assert.equal(await httpGet(podIp, 8080), 'pod-ok\n');
});

test('cleanup removes pods, containerd, shims, mounts, cgroups, IPs, the bridge and rules; a second run has nothing to do', { skip }, async () => {
  const paths = containerdPaths(dataDir);
  const names = cniNames(dataDir);
  const [ctr] = await cri.listContainers({ podSandboxId: sandboxId });
  const containerPid = (JSON.parse((await cri.containerStatus(ctr!.id, true)).info.info ?? '{}') as { pid?: number }).pid ?? 0;
  assert.ok(containerPid > 0 && isAlive(containerPid));
  // As after `kts agent` stopped: containerd is down, shims and containers run.
  ac.abort();
  await rt.done;
  const report = await cleanupNode({ dataDir, log: silentLogger });
  cleaned = true;
  assert.deepEqual(report.errors, []);
  const text = report.lines.join('\n');
  assert.match(text, /^pods: removed 1 pod sandbox\(es\) and 1 container\(s\)$/m);
  // (CRI's removal already unmounts and stops shims; the mounts/shims steps cover crashed nodes.)
  assert.match(text, /^state: removed \/run\/kts\/[0-9a-f]{12}$/m);
  assert.match(text, /^cgroups: removed \d+ pod cgroup\(s\) for 1 pod\(s\)$/m);
  assert.match(text, new RegExp(`^interfaces: removed .*${names.bridge}$`, 'm'));
  assert.deepEqual(findContainerd(paths.config), []);
  assert.deepEqual(findShims(paths.socket), []);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  assert.ok(!mounts.includes(dataDir) && !mounts.includes(paths.runDir), 'no mounts left');
  assert.ok(!existsSync(paths.runDir));
  for (const h of cgroupHierarchies()) for (const rel of podCgroupPaths(uid)) assert.ok(!existsSync(join(h, rel)), `${h}/${rel} removed`);
  assert.ok(!existsSync(names.ipamDir));
  assert.throws(() => execFileSync('ip', ['link', 'show', 'dev', names.bridge], { stdio: 'ignore' }));
  for (const t of ['nat', 'filter']) assert.doesNotMatch(execFileSync('iptables-save', ['-t', t], { encoding: 'utf8' }), new RegExp(`name: \\\\"${names.network}\\\\"`));
  assert.ok(!isAlive(containerPid), 'the container process is gone');
  assert.doesNotMatch(execFileSync('ip', ['route'], { encoding: 'utf8' }), new RegExp(podCidr.replace(/\./g, '\\.')));
  const again = await cleanupNode({ dataDir, log: silentLogger });
  assert.deepEqual(again, { lines: [], errors: [] });
});
