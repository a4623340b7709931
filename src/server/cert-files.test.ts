import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki } from './pki.js';
import { CertRotateError, listCertificates, rotateCertificates } from './cert-files.js';
import { startCertificateReload } from './cert-reload.js';
import { hardenServerFiles } from './file-modes.js';
import { silentLogger } from '../util/log.js';
import { until } from '../../test/support/poll.js';

const sans = { dns: ['localhost'], ips: ['127.0.0.1'] };

test('check lists CAs and leaves with usages and expiry; rotate moves leaves aside, never CAs', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kts-certs-'));
  const tls = join(dataDir, 'server', 'tls');
  await ensurePki(tls, { sans });
  const certs = await listCertificates(dataDir);
  const byName = new Map(certs.map((c) => [c.path.slice(tls.length + 1), c]));
  assert.deepEqual([...byName.keys()].sort(), ['client-admin.crt', 'client-ca.crt', 'client-kube-apiserver-kubelet-client.crt', 'server-ca.crt', 'serving-kube-apiserver.crt']);
  assert.deepEqual(byName.get('serving-kube-apiserver.crt')!.usages, ['ServerAuth']);
  assert.deepEqual(byName.get('client-admin.crt')!.usages, ['ClientAuth']);
  assert.equal(byName.get('server-ca.crt')!.isCa, true);
  assert.ok(byName.get('client-admin.crt')!.notAfter.getTime() > Date.now() + 300 * 86_400_000);

  await assert.rejects(rotateCertificates(dataDir, ['nope']), CertRotateError);
  const oldAdmin = readFileSync(join(tls, 'client-admin.crt'), 'utf8');
  const r = await rotateCertificates(dataDir, ['admin'], 1_700_000_000_000);
  assert.deepEqual(r.moved, [join(tls, 'client-admin.crt')]);
  assert.equal(r.backupDir, join(tls, 'tls-1700000000'));
  assert.ok(!existsSync(join(tls, 'client-admin.crt')) && !existsSync(join(tls, 'client-admin.key')));
  assert.deepEqual(readdirSync(r.backupDir).sort(), ['client-admin.crt', 'client-admin.key']);
  assert.ok(existsSync(join(tls, 'serving-kube-apiserver.crt')));
  // Backups are not listed as live certificates; the next start issues a new one from the same CA.
  assert.ok(!(await listCertificates(dataDir)).some((c) => c.path.includes('tls-1700000000')));
  const pki = await ensurePki(tls, { sans });
  assert.notEqual(pki.adminCertPem, oldAdmin);
  const all = await rotateCertificates(dataDir, [], 1_700_000_100_000);
  assert.equal(all.moved.length, 3);
  assert.ok(existsSync(join(tls, 'server-ca.crt')) && existsSync(join(tls, 'client-ca.key')));
});

test('a running server notices rotated certificates, reissues them and reloads the serving one', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kts-certs-'));
  const tls = join(dataDir, 'server', 'tls');
  const pki = await ensurePki(tls, { sans });
  const served: string[] = [];
  const admins: string[] = [];
  const ac = new AbortController();
  startCertificateReload(tls, sans, pki, { reloadServing: (c) => served.push(c), adminChanged: async (p) => void admins.push(p.adminCertPem) }, silentLogger, ac.signal, 20);
  await rotateCertificates(dataDir, ['api-server']);
  await until(() => served.length === 1, 10_000, "serving certificate reload");
  ac.abort();
  assert.notEqual(served[0], pki.serverCertPem + pki.caCertPem);
  assert.ok(served[0]!.endsWith(pki.caCertPem));
  assert.equal(readFileSync(join(tls, 'serving-kube-apiserver.crt'), 'utf8') + pki.caCertPem, served[0]);
  assert.deepEqual(admins, []);
});

test('private files and directories are tightened to 0600/0700', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kts-modes-'));
  const serverDir = join(dataDir, 'server');
  await ensurePki(join(serverDir, 'tls'), { sans });
  chmodSync(join(serverDir, 'tls'), 0o755);
  chmodSync(join(serverDir, 'tls', 'server-ca.key'), 0o644);
  writeFileSync(join(serverDir, 'node-token'), 'x', { mode: 0o644 });
  const changed = await hardenServerFiles(serverDir);
  assert.deepEqual(changed.map((p) => p.slice(serverDir.length + 1)).sort(), ['node-token', 'tls', 'tls/server-ca.key']);
  assert.equal(statSync(join(serverDir, 'tls')).mode & 0o777, 0o700);
  assert.equal(statSync(join(serverDir, 'tls', 'server-ca.key')).mode & 0o777, 0o600);
  assert.deepEqual(await hardenServerFiles(serverDir), []);
});
