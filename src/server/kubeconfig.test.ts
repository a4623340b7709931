import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { parse } from 'yaml';
import { renderKubeconfig, writeFileAtomic } from './kubeconfig.js';
import { ensurePki } from './pki.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kts-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Obj = Record<string, unknown>;
const at = (v: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((o, k) => (o as Obj)[k as string], v);
const unb64 = (v: unknown): string => Buffer.from(String(v), 'base64').toString('utf8');

test('renderKubeconfig: one cluster, user and context named default, certificates inlined as base64', () => {
  const yaml = renderKubeconfig({ server: 'https://127.0.0.1:6443', caPem: 'CA PEM\n', clientCertPem: 'CERT PEM\n', clientKeyPem: 'KEY PEM\n' });
  const cfg = parse(yaml) as Obj;
  assert.equal(cfg.apiVersion, 'v1');
  assert.equal(cfg.kind, 'Config');
  assert.equal(cfg['current-context'], 'default');
  assert.equal(at(cfg, 'clusters', 0, 'name'), 'default');
  assert.equal(at(cfg, 'clusters', 0, 'cluster', 'server'), 'https://127.0.0.1:6443');
  assert.equal(unb64(at(cfg, 'clusters', 0, 'cluster', 'certificate-authority-data')), 'CA PEM\n');
  assert.deepEqual(at(cfg, 'contexts', 0), { context: { cluster: 'default', user: 'default' }, name: 'default' });
  assert.equal(at(cfg, 'users', 0, 'name'), 'default');
  assert.equal(unb64(at(cfg, 'users', 0, 'user', 'client-certificate-data')), 'CERT PEM\n');
  assert.equal(unb64(at(cfg, 'users', 0, 'user', 'client-key-data')), 'KEY PEM\n');

  const named = parse(renderKubeconfig({ server: 'https://s:1', caPem: 'a', clientCertPem: 'b', clientKeyPem: 'c', clusterName: 'c1', userName: 'u1', contextName: 'x1' })) as Obj;
  assert.deepEqual(at(named, 'contexts', 0), { context: { cluster: 'c1', user: 'u1' }, name: 'x1' });
  assert.equal(named['current-context'], 'x1');
});

test('writeFileAtomic replaces the file whole, with the requested mode, leaving no temporary files', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'admin.kubeconfig');
  await writeFileAtomic(path, 'old', 0o644);
  await writeFileAtomic(path, 'new contents', 0o600);
  assert.equal(readFileSync(path, 'utf8'), 'new contents');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['admin.kubeconfig']);
  await assert.rejects(writeFileAtomic(join(dir, 'missing', 'f'), 'x', 0o600), /ENOENT/);
  assert.deepEqual(readdirSync(dir), ['admin.kubeconfig']);
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('the real kubectl talks TLS to a server using the generated kubeconfig and certificates', async (t) => {
  const dir = tempDir(t);
  const pki = await ensurePki(join(dir, 'tls'), { sans: { dns: [], ips: [] } });
  const version = { major: '1', minor: '32', gitVersion: 'v1.32.0-kts', platform: 'linux/amd64' };
  const seen: string[] = [];
  const server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.clientCaCertPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    seen.push(`${req.url} ${(req.socket as TLSSocket).getPeerCertificate().subject.CN}`);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(req.url === '/version' ? version : { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  const kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFileAtomic(kubeconfig, renderKubeconfig({ server: `https://127.0.0.1:${port}`, caPem: pki.caCertPem, clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem }), 0o600);
  const env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig };
  const r = await run('kubectl', ['get', '--raw', '/version'], env);
  if (r.code === -1 && /ENOENT/.test(r.stderr + r.stdout) && seen.length === 0) {
    t.skip('kubectl not installed');
    return;
  }
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), version);
  assert.ok(seen.includes('/version system:admin'), seen.join(', '));
});
