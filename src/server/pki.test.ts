import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import forge from 'node-forge';
import { join } from 'node:path';
import { caCertHash, certInfo, ensurePki, signClientCert, signServingCert, defaultServingSans, type CertKeyPair } from './pki.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY = 86_400_000;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kts-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'tls');
}

const sans = { dns: ['api.example.test'], ips: ['10.43.0.1'] };

test('first start creates the k3s layout with private keys 0600; later starts reuse it', async (t) => {
  const dir = tempDir(t);
  const logs: string[] = [];
  const a = await ensurePki(dir, { sans, log: (m) => logs.push(m) });
  assert.deepEqual(readdirSync(dir).sort(), [
    'client-admin.crt', 'client-admin.key', 'client-ca.crt', 'client-ca.key', 'client-kube-apiserver-kubelet-client.crt', 'client-kube-apiserver-kubelet-client.key',
    'server-ca.crt', 'server-ca.key', 'serving-kube-apiserver.crt', 'serving-kube-apiserver.key',
  ]);
  for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o777, f.endsWith('.key') ? 0o600 : 0o644, f);
  assert.equal(readFileSync(join(dir, 'serving-kube-apiserver.crt'), 'utf8'), a.serverCertPem);
  assert.ok(logs.length >= 4);

  logs.length = 0;
  const b = await ensurePki(dir, { sans, log: (m) => logs.push(m) });
  assert.deepEqual(b, a);
  assert.deepEqual(logs, []);
});

test('certificate fields: CAs, serving SANs and EKU, admin subject', async (t) => {
  const p = await ensurePki(tempDir(t), { sans });
  const now = Date.now();
  for (const pem of [p.caCertPem, p.clientCaCertPem]) {
    const info = certInfo(pem);
    assert.equal(info.isCa, true);
    assert.ok(Math.abs(info.notAfter.getTime() - (now + 3650 * DAY)) < DAY);
  }
  assert.notEqual(certInfo(p.caCertPem).subject.cn, certInfo(p.clientCaCertPem).subject.cn);

  const serving = certInfo(p.serverCertPem);
  assert.equal(serving.isCa, false);
  assert.ok(Math.abs(serving.notAfter.getTime() - (now + 365 * DAY)) < DAY);
  for (const d of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost', 'api.example.test']) assert.ok(serving.sans.dns.includes(d), d);
  for (const ip of ['127.0.0.1', '::1', '10.43.0.1']) assert.ok(serving.sans.ips.includes(ip), ip);
  assert.deepEqual(serving.sans, defaultServingSans(sans));
  const sx = new X509Certificate(p.serverCertPem);
  assert.deepEqual(sx.keyUsage, [SERVER_AUTH]);
  assert.ok(sx.checkIssued(new X509Certificate(p.caCertPem)));
  assert.ok(sx.verify(new X509Certificate(p.caCertPem).publicKey));
  assert.equal(sx.verify(new X509Certificate(p.clientCaCertPem).publicKey), false);

  // Names are UTF8String: PrintableString cannot hold ':' or '@', and Go's x509 rejects it.
  // Read from the DER: leaves carry ECDSA keys, which forge's certificate parser does not take.
  const subjectTags = (pem: string): number[] => {
    const der = forge.util.decode64(pem.replace(/-----[A-Z ]+-----|\s/g, ''));
    const tbs = (forge.asn1.fromDer(der).value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
    const subject = tbs[5]!.value as forge.asn1.Asn1[];
    return subject.map((set) => ((set.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[])[1]!.type as number);
  };
  for (const pem of [p.caCertPem, p.adminCertPem]) {
    const tags = subjectTags(pem);
    assert.ok(tags.length > 0);
    for (const t of tags) assert.equal(t, forge.asn1.Type.UTF8);
  }
  assert.equal(new X509Certificate(p.adminCertPem).publicKey.asymmetricKeyType, 'ec', 'leaves carry P-256 keys');

  const admin = certInfo(p.adminCertPem);
  assert.deepEqual(admin.subject, { cn: 'system:admin', o: ['system:masters'] });
  assert.equal(admin.issuer.cn, certInfo(p.clientCaCertPem).subject.cn);
  assert.deepEqual(new X509Certificate(p.adminCertPem).keyUsage, [CLIENT_AUTH]);
});

test('serving certificate is reissued by the same CA for a new SAN or near expiry', async (t) => {
  const dir = tempDir(t);
  const first = await ensurePki(dir, { sans });
  const more = await ensurePki(dir, { sans: { dns: ['new.example.test'], ips: ['192.0.2.7'] } });
  assert.equal(more.caCertPem, first.caCertPem);
  assert.equal(more.adminCertPem, first.adminCertPem);
  assert.notEqual(more.serverCertPem, first.serverCertPem);
  assert.ok(certInfo(more.serverCertPem).sans.dns.includes('new.example.test'));
  assert.ok(certInfo(more.serverCertPem).sans.ips.includes('192.0.2.7'));

  // A cert with every SAN but 30 days left is replaced by a fresh one-year cert.
  const short = signServingCert({ certPem: first.caCertPem, keyPem: first.caKeyPem }, 'kube-apiserver', defaultServingSans(sans), 30);
  writeFileSync(join(dir, 'serving-kube-apiserver.crt'), short.certPem);
  writeFileSync(join(dir, 'serving-kube-apiserver.key'), short.keyPem);
  const renewed = await ensurePki(dir, { sans });
  assert.notEqual(renewed.serverCertPem, short.certPem);
  assert.ok(certInfo(renewed.serverCertPem).notAfter.getTime() > Date.now() + 300 * DAY);
  assert.equal(renewed.caCertPem, first.caCertPem);

  // A certificate whose key file does not match it is issued again rather than served.
  writeFileSync(join(dir, 'client-admin.key'), short.keyPem);
  const fixed = await ensurePki(dir, { sans });
  assert.notEqual(fixed.adminCertPem, renewed.adminCertPem);
  assert.ok(new X509Certificate(fixed.adminCertPem).checkPrivateKey(createPrivateKey(fixed.adminKeyPem)));
});

test('an invalid IP SAN is rejected with a clear error', async (t) => {
  await assert.rejects(ensurePki(tempDir(t), { sans: { dns: [], ips: ['not-an-ip'] } }), /invalid IP address for a SAN: "not-an-ip"/);
});

/** One HTTPS request to the test server; resolves with the body or rejects with the TLS error. */
function get(port: number, ca: string, client?: CertKeyPair): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', ca, cert: client?.certPem, key: client?.keyPem, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

test('real TLS handshake: serving cert verified by the CA, client certs verified by the client CA', async (t) => {
  const p = await ensurePki(tempDir(t), { sans: { dns: [], ips: [] } });
  const server = createServer({ cert: p.serverCertPem, key: p.serverKeyPem, ca: p.clientCaCertPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.end(`${peer.subject.CN}/${String(peer.subject.O)}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  assert.equal(await get(port, p.caCertPem, { certPem: p.adminCertPem, keyPem: p.adminKeyPem }), 'system:admin/system:masters');
  const kubelet = signClientCert({ certPem: p.clientCaCertPem, keyPem: p.clientCaKeyPem }, { cn: 'system:node:n1', o: ['system:nodes'] }, 30);
  assert.equal(await get(port, p.caCertPem, kubelet), 'system:node:n1/system:nodes');
  // No client certificate, or one from the wrong CA: the server refuses the handshake.
  await assert.rejects(get(port, p.caCertPem));
  const forged = signClientCert({ certPem: p.caCertPem, keyPem: p.caKeyPem }, { cn: 'system:admin', o: ['system:masters'] }, 30);
  await assert.rejects(get(port, p.caCertPem, forged));
  // A client trusting the client CA instead of the server CA rejects the server.
  await assert.rejects(get(port, p.clientCaCertPem, { certPem: p.adminCertPem, keyPem: p.adminKeyPem }), /self-signed|unable to verify|UNABLE_TO_VERIFY|SELF_SIGNED/i);
});

test('caCertHash is sha256 over the DER SubjectPublicKeyInfo, as openssl computes it', async (t) => {
  const dir = tempDir(t);
  const p = await ensurePki(dir, { sans });
  const hash = caCertHash(p.caCertPem);
  assert.match(hash, /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(hash, caCertHash(p.clientCaCertPem));
  let expected: string;
  try {
    const pub = execFileSync('openssl', ['x509', '-pubkey', '-noout'], { input: p.caCertPem });
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub });
    expected = createHash('sha256').update(der).digest('hex');
  } catch {
    t.skip('openssl not available');
    return;
  }
  assert.equal(hash, `sha256:${expected}`);
});
