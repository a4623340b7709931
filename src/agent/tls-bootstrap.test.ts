// TLS bootstrap against a real in-process API server with the certificate controllers running:
// a bootstrap token buys the node a client certificate (files 0600, reused without the token), the
// node then gets a serving certificate for its registered addresses, and certificates are renewed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { startTestCluster, type TestCluster } from '../../test/support/cluster.js';
import { resourcePath } from '../client/rest-client.js';
import { silentLogger } from '../util/log.js';
import { runCertificateControllers } from '../controllers/certificates/run.js';
import { issueCertificate } from '../controllers/certificates/issue.js';
import { parseCsrPem, createCsrPem } from '../api/csr.js';
import { obtainNodeClient, rotateNodeClient, runServingCertificate } from './tls-bootstrap.js';
import { readFileSync } from 'node:fs';
import { until } from '../../test/support/poll.js';
import { runRotation, renewalDelayMs } from './cert-rotation.js';
import { CertificateRequestError } from './csr-request.js';

let cluster: TestCluster;
let dir: string;
before(async () => {
  cluster = await startTestCluster();
  dir = mkdtempSync(join(tmpdir(), 'kts-tls-bootstrap-'));
  const p = cluster.pki;
  void runCertificateControllers(cluster.client, { clientCa: { certPem: p.clientCaCertPem, keyPem: p.clientCaKeyPem }, serverCa: { certPem: p.caCertPem, keyPem: p.caKeyPem }, maxDurationMs: 365 * 86_400_000 }, silentLogger, cluster.signal);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  await cluster.client.create(resourcePath('', 'v1', 'secrets', 'kube-system'), {
    apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token', metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
    data: { 'token-id': b64('abcdef'), 'token-secret': b64('0123456789abcdef'), 'usage-bootstrap-authentication': b64('true') },
  });
});
after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const opts = (agentDir: string, token?: string) => ({ server: cluster.url, caPem: cluster.caPem, nodeName: 'n1', agentDir, bootstrapToken: token, userAgent: 'test', log: silentLogger, waitTimeoutMs: 10_000 });

test('a bootstrap token buys a node client certificate; a restart reuses it without the token', async () => {
  const agentDir = join(dir, 'agent');
  const nc = await obtainNodeClient(opts(agentDir, 'abcdef.0123456789abcdef'), cluster.signal);
  assert.equal(nc.issued, true);
  const cert = new X509Certificate(nc.creds.certPem);
  assert.deepEqual(cert.subject.split('\n').sort(), ['CN=system:node:n1', 'O=system:nodes']);
  assert.ok(cert.verify(new X509Certificate(cluster.pki.clientCaCertPem).publicKey));
  for (const f of ['kubelet.kubeconfig', 'client-kubelet.crt', 'client-kubelet.key', 'server-ca.crt']) assert.equal(statSync(join(agentDir, f)).mode & 0o777, 0o600);
  await nc.client.get(resourcePath('', 'v1', 'nodes'));
  nc.client.close();

  const again = await obtainNodeClient(opts(agentDir), cluster.signal);
  assert.equal(again.issued, false);
  assert.equal(again.creds.certPem, nc.creds.certPem);
  again.client.close();
});

test('a wrong token is refused with a message, not retried forever', async () => {
  await assert.rejects(obtainNodeClient(opts(join(dir, 'wrong'), 'abcdef.0000000000000000'), cluster.signal), (e: Error) => e instanceof CertificateRequestError && /401 Unauthorized/.test(e.message));
  await assert.rejects(obtainNodeClient(opts(join(dir, 'none')), cluster.signal), /no usable node certificate .* and no --token/);
});

test('the serving certificate is approved for the registered node addresses and installed', async () => {
  const nc = await obtainNodeClient(opts(join(dir, 'agent')), cluster.signal);
  await nc.client.create(resourcePath('', 'v1', 'nodes'), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.7' }, { type: 'Hostname', address: 'host-n1' }] } });
  const ac = new AbortController();
  const installed = new Promise<string>((resolve) => {
    void runServingCertificate({ client: nc.client, nodeName: 'n1', agentDir: join(dir, 'agent'), sans: { dns: ['n1', 'host-n1'], ips: ['10.0.0.7'] }, log: silentLogger, install: (p) => resolve(p.certPem) }, ac.signal);
  });
  const pem = await installed;
  ac.abort();
  const cert = new X509Certificate(pem);
  assert.ok(cert.verify(new X509Certificate(cluster.pki.caCertPem).publicKey), 'signed by the server CA');
  assert.equal(cert.subjectAltName, 'DNS:n1, DNS:host-n1, IP Address:10.0.0.7');
  assert.equal(statSync(join(dir, 'agent', 'serving-kubelet.key')).mode & 0o777, 0o600);
  nc.client.close();
});

test('rotation renews at 70–90 % of the lifetime and applies the new certificate', async () => {
  const ca = { certPem: cluster.pki.clientCaCertPem, keyPem: cluster.pki.clientCaKeyPem };
  const { generateKeyPairSync } = await import('node:crypto');
  const key = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  const csr = parseCsrPem(createCsrPem(key, { cn: 'system:node:n1', o: ['system:nodes'] }));
  const now = Date.now();
  // Backdated 5 minutes, valid 10 s more: over 90 % of the lifetime has passed, so renewal is due now.
  const dueCert = issueCertificate(ca, csr, ['client auth'], 10_000, now);
  assert.equal(renewalDelayMs(dueCert, now, 1), 0);
  const longCert = issueCertificate(ca, csr, ['client auth'], 100 * 86_400_000, now);
  const d = renewalDelayMs(longCert, now, 0.5);
  assert.ok(Math.abs(d - (0.8 * (100 * 86_400_000 + 300_000) - 300_000)) < 2000, `renewal at 80 % (${d})`);
  const ac = new AbortController();
  let renewed = 0;
  const applied = new Promise<void>((resolve) => {
    void runRotation({ what: 'test certificate', current: { certPem: dueCert, keyPem: key }, log: silentLogger, renew: async () => ({ certPem: longCert, keyPem: key }), apply: async () => { renewed++; resolve(); } }, ac.signal);
  });
  await applied;
  ac.abort();
  assert.equal(renewed, 1);
});

test('the node renews its own client certificate through the API (selfnodeclient) and switches to it', async () => {
  const agentDir = join(dir, 'agent');
  const nc = await obtainNodeClient(opts(agentDir), cluster.signal);
  const old = nc.creds.certPem;
  // Make the stored certificate one that is due for renewal: same key, 10 s left of a 5-minute backdated life.
  const parsed = parseCsrPem(createCsrPem(nc.creds.keyPem, { cn: 'system:node:n1', o: ['system:nodes'] }));
  const due = issueCertificate({ certPem: cluster.pki.clientCaCertPem, keyPem: cluster.pki.clientCaKeyPem }, parsed, ['client auth'], 10_000);
  nc.creds = { ...nc.creds, certPem: due };
  nc.client.setClientCertificate(due, nc.creds.keyPem);
  const ac = new AbortController();
  void rotateNodeClient(nc, opts(agentDir), ac.signal);
  await until(() => nc.creds.certPem !== due, 15_000, 'renewed');
  ac.abort();
  assert.notEqual(nc.creds.certPem, old);
  // The new certificate is used at once and written to disk right after: wait for the file.
  await until(() => readFileSync(join(agentDir, 'client-kubelet.crt'), 'utf8') === nc.creds.certPem, 5_000, 'written to disk');
  assert.ok(Date.parse(new X509Certificate(nc.creds.certPem).validTo) > Date.now() + 300 * 86_400_000);
  const csrs = (await cluster.client.list<{ spec: { username: string }; status: { conditions?: { message: string }[] } }>(resourcePath('certificates.k8s.io', 'v1', 'certificatesigningrequests'))).items;
  assert.ok(csrs.some((c) => c.spec.username === 'system:node:n1' && c.status.conditions?.[0]?.message.startsWith('Auto approving self kubelet client')));
  await nc.client.get(resourcePath('', 'v1', 'nodes', undefined, 'n1'));
  nc.client.close();
});
