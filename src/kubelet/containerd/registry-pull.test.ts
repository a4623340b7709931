// Integration: the real pull path through containerd, configured from registries.yaml, against
// Debian's docker-registry on loopback: a plain-HTTP mirror for a registry that does not exist,
// a plain-HTTP registry, HTTPS with a private CA (ca_file) and with insecure_skip_verify; the
// same TLS registry unconfigured fails. Root only (CI runs as root).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { silentLogger } from '../../util/log.js';
import { CriClient } from '../cri/client.js';
import { startContainerd } from './supervisor.js';
import type { RunningContainerd } from './supervisor.js';
import { containerdPaths } from './paths.js';
import { cleanupNode } from './cleanup.js';
import { buildBusyboxImage } from '../../../test/support/images.js';
import { pushArchive, startRegistry } from '../../../test/support/registry.js';
import type { TestRegistry } from '../../../test/support/registry.js';

const skip = process.getuid?.() !== 0 ? 'needs root (containerd)' : false;
const base = mkdtempSync(join(tmpdir(), 'kts-pull-'));
const dataDir = join(base, 'data');
const ac = new AbortController();
let plain: TestRegistry;
let withCa: TestRegistry;
let insecure: TestRegistry;
let rt: RunningContainerd;
let cri: CriClient;

function selfSignedCert(dir: string): { cert: string; key: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const c = forge.pki.createCertificate();
  c.publicKey = keys.publicKey;
  c.serialNumber = '01';
  c.validity.notBefore = new Date(Date.now() - 60_000);
  c.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attrs = [{ name: 'commonName', value: 'kts test registry' }];
  c.setSubject(attrs);
  c.setIssuer(attrs);
  c.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  c.sign(keys.privateKey, forge.md.sha256.create());
  const cert = join(dir, 'registry.crt');
  const key = join(dir, 'registry.key');
  writeFileSync(cert, forge.pki.certificateToPem(c));
  writeFileSync(key, forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600 });
  return { cert, key };
}

before(async () => {
  if (skip) return;
  const tar = await buildBusyboxImage(base, 'kts.test/busybox:1');
  const tls = selfSignedCert(base);
  plain = await startRegistry();
  withCa = await startRegistry({ certFile: tls.cert, keyFile: tls.key });
  insecure = await startRegistry({ certFile: tls.cert, keyFile: tls.key });
  for (const r of [plain, withCa, insecure]) await pushArchive(r.url, tar, 'kts/busybox', '1');
  mkdirSync(join(dataDir, 'agent'), { recursive: true });
  writeFileSync(containerdPaths(dataDir).registriesFile, `mirrors:
  mirror-only.invalid:
    endpoint:
      - "http://${plain.host}"
  "${plain.host}":
    endpoint:
      - "http://${plain.host}"
configs:
  "${withCa.host}":
    tls:
      ca_file: ${tls.cert}
  "${insecure.host}":
    tls:
      insecure_skip_verify: true
`);
  rt = await startContainerd({ dataDir, log: silentLogger, signal: ac.signal });
  cri = new CriClient(rt.socket, 60_000);
});

after(async () => {
  if (skip) return;
  cri?.close();
  ac.abort();
  await rt?.done;
  await cleanupNode({ dataDir, log: silentLogger });
  for (const r of [plain, withCa, insecure]) await r?.stop();
  rmSync(base, { recursive: true, force: true });
});

test('hosts.toml is written per registry under the config_path folder', { skip }, () => {
  const certs = containerdPaths(dataDir).certsDir;
  assert.match(readFileSync(join(certs, 'mirror-only.invalid', 'hosts.toml'), 'utf8'), new RegExp(`\\[host\\."http://${plain.host}"\\]`));
  assert.match(readFileSync(join(certs, insecure.host, 'hosts.toml'), 'utf8'), /^skip_verify = true$/m);
});

test('a plain-HTTP mirror serves a registry that does not exist', { skip }, async () => {
  const ref = await cri.pullImage('mirror-only.invalid/kts/busybox:1');
  assert.match(ref, /^sha256:[0-9a-f]{64}$/);
  assert.equal((await cri.imageStatus('mirror-only.invalid/kts/busybox:1'))?.id, ref);
});

test('a plain-HTTP registry through its own mirror entry', { skip }, async () => {
  assert.ok(await cri.pullImage(`${plain.host}/kts/busybox:1`));
});

test('HTTPS with a private CA (ca_file) and with insecure_skip_verify', { skip }, async () => {
  assert.ok(await cri.pullImage(`${withCa.host}/kts/busybox:1`));
  assert.ok(await cri.pullImage(`${insecure.host}/kts/busybox:1`));
});

test('an unconfigured loopback registry gets containerd\'s default (plain HTTP), which a TLS registry refuses', { skip }, async () => {
  // The same registry as above under a name registries.yaml does not mention.
  const port = withCa.host.split(':')[1];
  await assert.rejects(cri.pullImage(`localhost:${port}/kts/busybox:1`), /400 Bad Request/);
});
