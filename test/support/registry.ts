// A real image registry for tests: Debian's docker-registry on a random loopback port (plain
// HTTP, or HTTPS with a given certificate), and a small registry v2 client that pushes an OCI
// archive (as built by test/support/images.ts) into it.
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TestRegistry {
  /** host:port */
  host: string;
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startRegistry(o: { certFile?: string; keyFile?: string } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'kts-registry-'));
  const port = await freePort();
  const tls = o.certFile ? `  tls:\n    certificate: ${o.certFile}\n    key: ${o.keyFile}\n` : '';
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${tls}`);
  let out = '';
  const proc: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = `${o.certFile ? 'https' : 'http'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited: ${out}`);
    const ok = await call(url, 'GET', '/v2/').then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`docker-registry did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function call(base: string, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(path, base);
  const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(u, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** Pushes the image in an OCI archive to `<registry>/<repository>:<tag>` (registry v2 API). */
export async function pushArchive(registryUrl: string, archive: string, repository: string, tag: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kts-push-'));
  try {
    execFileSync('tar', ['-xf', archive, '-C', dir]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string }[] };
    const blob = (d: string) => readFileSync(join(dir, 'blobs', 'sha256', d.slice(7)));
    const desc = index.manifests[0];
    const manifestBytes = blob(desc.digest);
    const manifest = JSON.parse(manifestBytes.toString()) as { config: { digest: string }; layers: { digest: string }[] };
    for (const digest of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
      const start = await call(registryUrl, 'POST', `/v2/${repository}/blobs/uploads/`);
      if (start.status !== 202) throw new Error(`starting upload: HTTP ${start.status} ${start.body}`);
      const loc = new URL(String(start.headers.location), registryUrl);
      loc.searchParams.set('digest', digest);
      const put = await call(registryUrl, 'PUT', loc.pathname + loc.search, blob(digest), { 'content-type': 'application/octet-stream' });
      if (put.status !== 201) throw new Error(`uploading ${digest}: HTTP ${put.status} ${put.body}`);
    }
    const put = await call(registryUrl, 'PUT', `/v2/${repository}/manifests/${tag}`, manifestBytes, { 'content-type': desc.mediaType });
    if (put.status !== 201) throw new Error(`pushing the manifest: HTTP ${put.status} ${put.body}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
