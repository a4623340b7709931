import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ensurePki } from '../../server/pki.js';
import type { Pki } from '../../server/pki.js';
import { signDecision, type SignerConfig } from './signer.js';
import { csrObject } from './testing.js';

let pki: Pki;
let cfg: SignerConfig;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kts-signer-'));
  pki = await ensurePki(join(dir, 'tls'), { sans: { dns: [], ips: [] } });
  cfg = { clientCa: { certPem: pki.clientCaCertPem, keyPem: pki.clientCaKeyPem }, serverCa: { certPem: pki.caCertPem, keyPem: pki.caKeyPem }, maxDurationMs: 365 * 86_400_000 };
});

after(() => rmSync(dir, { recursive: true, force: true }));

const approved = [{ type: 'Approved', status: 'True' }];
const kubeletClient = { cn: 'system:node:n1', o: ['system:nodes'], signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'key encipherment', 'client auth'] };

function issued(d: ReturnType<typeof signDecision>): X509Certificate {
  assert.ok(d && 'certificate' in d, `issued, got ${JSON.stringify(d)}`);
  return new X509Certificate(d.certificate);
}

test('pending, denied-free, failed, issued and unknown-signer requests are left alone', () => {
  assert.equal(signDecision(csrObject(kubeletClient), cfg), undefined);
  assert.equal(signDecision(csrObject({ ...kubeletClient, conditions: [...approved, { type: 'Failed', status: 'True' }] }), cfg), undefined);
  assert.equal(signDecision(csrObject({ ...kubeletClient, signerName: 'example.com/other', conditions: approved }), cfg), undefined);
  const done = csrObject({ ...kubeletClient, conditions: approved });
  (done.status as { certificate?: string }).certificate = 'eA==';
  assert.equal(signDecision(done, cfg), undefined);
});

test('kubelet client certificates: client CA, subject kept, one year at most', () => {
  const c = issued(signDecision(csrObject({ ...kubeletClient, conditions: approved }), cfg));
  assert.ok(c.verify(new X509Certificate(pki.clientCaCertPem).publicKey));
  assert.deepEqual(c.subject.split('\n').sort(), ['CN=system:node:n1', 'O=system:nodes']);
  assert.deepEqual(c.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  const days = (Date.parse(c.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 364 && days <= 365.01, String(days));
});

test('expirationSeconds is honoured and capped by the signer maximum', () => {
  const short = issued(signDecision(csrObject({ ...kubeletClient, expirationSeconds: 3600, conditions: approved }), cfg));
  assert.ok(Math.abs(Date.parse(short.validTo) - Date.now() - 3600_000) < 5000);
  const capped = issued(signDecision(csrObject({ ...kubeletClient, expirationSeconds: 10 * 365 * 86400, conditions: approved }), { ...cfg, maxDurationMs: 86_400_000 }));
  assert.ok(Math.abs(Date.parse(capped.validTo) - Date.now() - 86_400_000) < 5000);
});

test("each signer's rules fail the request with upstream's messages", () => {
  const fail = (o: Parameters<typeof csrObject>[0]) => {
    const d = signDecision(csrObject({ ...o, conditions: approved }), cfg);
    assert.ok(d && 'failed' in d, JSON.stringify(d));
    return d.failed;
  };
  assert.equal(fail({ ...kubeletClient, o: ['dev'] }), 'subject organization is not system:nodes');
  assert.equal(fail({ ...kubeletClient, cn: 'n1' }), 'subject common name does not begin with system:node:');
  assert.equal(fail({ ...kubeletClient, dns: ['n1'] }), 'DNS subjectAltNames are not allowed');
  assert.equal(fail({ ...kubeletClient, usages: ['client auth', 'server auth'] }), 'usages did not match [client auth digital signature key encipherment]');
  const serving = { cn: 'system:node:n1', o: ['system:nodes'], signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'key encipherment', 'server auth'] };
  assert.equal(fail(serving), 'DNS or IP subjectAltName is required');
  assert.equal(fail({ ...serving, dns: ['n1'], usages: ['client auth'] }), 'usages did not match [digital signature key encipherment server auth]');
  const client = { cn: 'jane', o: ['dev'], signerName: 'kubernetes.io/kube-apiserver-client', usages: ['digital signature'] };
  assert.equal(fail(client), 'missing required usage for client certificate: client auth');
  assert.equal(fail({ ...client, usages: ['client auth', 'server auth'] }), 'invalid usage for client certificate: server auth');
});

test('serving certificates come from the server CA with the requested names; user client certificates from the client CA', () => {
  const s = issued(signDecision(csrObject({ cn: 'system:node:n1', o: ['system:nodes'], dns: ['n1'], ips: ['10.0.0.1'], signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'key encipherment', 'server auth'], conditions: approved }), cfg));
  assert.ok(s.verify(new X509Certificate(pki.caCertPem).publicKey));
  assert.equal(s.subjectAltName, 'DNS:n1, IP Address:10.0.0.1');
  assert.deepEqual(s.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  const u = issued(signDecision(csrObject({ cn: 'jane', o: ['dev', 'ops'], signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], conditions: approved }), cfg));
  assert.ok(u.verify(new X509Certificate(pki.clientCaCertPem).publicKey));
  assert.deepEqual(u.subject.split('\n').sort(), ['CN=jane', 'O=dev', 'O=ops']);
});

test('ECDSA requests are issued with their own key', async () => {
  const { execFileSync } = await import('node:child_process');
  const pem = execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/O=dev/CN=ecuser'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const csr = csrObject({ cn: 'x', signerName: 'kubernetes.io/kube-apiserver-client', usages: ['digital signature', 'client auth'], conditions: approved });
  (csr.spec as { request: string }).request = Buffer.from(pem).toString('base64');
  const c = issued(signDecision(csr, cfg));
  assert.equal(c.publicKey.asymmetricKeyType, 'ec');
  assert.ok(c.verify(new X509Certificate(pki.clientCaCertPem).publicKey));
  assert.deepEqual(c.subject.split('\n').sort(), ['CN=ecuser', 'O=dev']);
  assert.ok(c.checkIssued(new X509Certificate(pki.clientCaCertPem)));
});
