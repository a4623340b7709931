// Security features end to end with the real binary and kubectl: Secrets encrypted at rest (the
// raw SQLite files never hold the value; rotation re-encrypts; a restart reads them back),
// PodSecurity admission (upstream's refusal text, warnings on templates), the audit log, TLS
// versions and ciphers, and certificate check/rotate on a running server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { KTS_BIN, startServer } from './harness.js';
import type { KtsServer } from './harness.js';
import { until } from '../support/poll.js';

const servers: KtsServer[] = [];
after(async () => {
  for (const s of servers) await s.cleanup();
});

function kts(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [KTS_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every byte of the datastore (main file and WAL), as latin1 text for searching. */
function rawDb(dataDir: string): string {
  const dir = join(dataDir, 'server', 'db');
  return readdirSync(dir).filter((f) => f.startsWith('state.db')).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('\n');
}

test('secrets are encrypted at rest, rotate-keys re-encrypts them all, a restart reads them back', async () => {
  const srv = await startServer({ extraArgs: ['--secrets-encryption'] });
  servers.push(srv);
  const value = `s3cr3t-${Math.random().toString(36).slice(2)}`;
  for (const n of ['one', 'two', 'three']) assert.equal(srv.kubectl(['create', 'secret', 'generic', n, `--from-literal=password=${value}-${n}`]).code, 0);
  const db = rawDb(srv.dataDir);
  assert.ok(!db.includes(value), 'plaintext value in the datastore');
  assert.ok(!db.includes(Buffer.from(`${value}-one`).toString('base64')), 'base64 value in the datastore');
  assert.ok(db.includes('k8s:enc:aescbc:v1:aescbckey:'));
  const cfgPath = join(srv.dataDir, 'server', 'cred', 'encryption-config.json');
  assert.equal(JSON.parse(readFileSync(cfgPath, 'utf8')).kind, 'EncryptionConfiguration');

  const status = kts(['secrets-encrypt', 'status', '--data-dir', srv.dataDir]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /Encryption Status: Enabled/);
  const rotated = kts(['secrets-encrypt', 'rotate-keys', '--data-dir', srv.dataDir]);
  assert.equal(rotated.code, 0, rotated.stderr);
  // Three of ours (plus any the cluster made itself, e.g. none today).
  const n = Number(/(\d+) secrets re-encrypted/.exec(rotated.stdout)?.[1]);
  assert.ok(n >= 3, rotated.stdout);
  assert.match(kts(['secrets-encrypt', 'status', '--data-dir', srv.dataDir]).stdout, /Current Rotation Stage: reencrypt_finished[\s\S]*\*\s+AES-CBC\s+aescbckey-/);
  const keyName = JSON.parse(readFileSync(cfgPath, 'utf8')).resources[0].providers[0].aescbc.keys[0].name as string;
  assert.notEqual(keyName, 'aescbckey');

  await srv.restart();
  assert.equal(Buffer.from(srv.kubectl(['get', 'secret', 'two', '-o', 'jsonpath={.data.password}']).stdout, 'base64').toString(), `${value}-two`);
  assert.ok(!rawDb(srv.dataDir).includes(value));
  // The live rows all carry the new key (older rows in the history keep their old ciphertext until compaction).
  assert.ok(rawDb(srv.dataDir).includes(`k8s:enc:aescbc:v1:${keyName}:`));
});

test('PodSecurity: restricted refuses a privileged pod with upstream text and warns on a Deployment; the audit log records who did what', async () => {
  const dir = join(process.env.TMPDIR ?? '/tmp', `kts-audit-${process.pid}-${Date.now()}`);
  const policy = join(`${dir}-policy.yaml`);
  writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  userGroups: ["system:nodes"]\n- level: Request\n  resources: [{group: "", resources: ["configmaps"]}]\n- level: Metadata\n');
  const psa = `${dir}-psa.yaml`;
  writeFileSync(psa, 'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  configuration:\n    apiVersion: pod-security.admission.config.k8s.io/v1\n    kind: PodSecurityConfiguration\n    defaults: {warn: baseline}\n    exemptions: {namespaces: [kube-system]}\n');
  const badPsa = kts(['server', '--disable-agent', '--pod-security-admission-config-file', policy]);
  assert.equal(badPsa.code, 2);
  assert.match(badPsa.stderr, /--pod-security-admission-config-file: kind: Unsupported value: "Policy"/);
  const srv = await startServer({ extraArgs: ['--audit-log-path', join(dir, 'audit.log'), '--audit-policy-file', policy, '--audit-log-maxsize', '5', '--audit-log-maxbackup', '2', '--pod-security-admission-config-file', psa] });
  servers.push(srv);
  // The configured default (warn=baseline) applies to unlabelled namespaces; kube-system is exempt.
  const privPod = (ns: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ${ns}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      privileged: true\n`;
  const warned = srv.kubectl(['create', '-f', '-'], { input: privPod('default') });
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, /Warning: would violate PodSecurity "baseline:latest": privileged \(container "c" must not set securityContext\.privileged=true\)/);
  const exempt = srv.kubectl(['create', '-f', '-'], { input: privPod('kube-system') });
  assert.equal(exempt.code, 0, exempt.stderr);
  assert.doesNotMatch(exempt.stderr, /Warning/);
  assert.equal(srv.kubectl(['create', 'namespace', 'locked']).code, 0);
  assert.equal(srv.kubectl(['label', 'namespace', 'locked', 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/warn=restricted']).code, 0);
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: priv\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      privileged: true\n';
  const refused = srv.kubectl(['apply', '-n', 'locked', '-f', '-'], { input: pod });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext\.privileged=true\), allowPrivilegeEscalation != false \(container "c" must set securityContext\.allowPrivilegeEscalation=false\), unrestricted capabilities \(container "c" must set securityContext\.capabilities\.drop=\["ALL"\]\), runAsNonRoot != true \(pod or container "c" must set securityContext\.runAsNonRoot=true\), seccompProfile \(pod or container "c" must set securityContext\.seccompProfile\.type to "RuntimeDefault" or "Localhost"\)/);
  const dep = srv.kubectl(['create', 'deployment', 'web', '-n', 'locked', '--image', 'nginx']);
  assert.equal(dep.code, 0, dep.stderr);
  assert.match(dep.stderr, /Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "nginx" must set securityContext\.allowPrivilegeEscalation=false\)/);
  const badLabel = srv.kubectl(['label', 'namespace', 'locked', '--overwrite', 'pod-security.kubernetes.io/enforce=strict']);
  assert.notEqual(badLabel.code, 0);
  assert.match(badLabel.stderr, /metadata\.labels\[pod-security\.kubernetes\.io\/enforce\]: Invalid value: "strict": must be one of privileged, baseline, restricted/);

  assert.equal(srv.kubectl(['create', 'configmap', 'audited', '--from-literal=k=v']).code, 0);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Ev = Record<string, any>;
  const events = (await until((): Ev[] | undefined => {
    const evs = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
    return evs.some((e) => e.objectRef?.name === 'audited' && e.stage === 'ResponseComplete') ? evs : undefined;
  }, 10_000, 'the configmap create in the audit log'))!;
  const cm = events.find((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps' && e.objectRef?.name === 'audited')!;
  assert.equal(cm.apiVersion, 'audit.k8s.io/v1');
  assert.equal(cm.kind, 'Event');
  assert.equal(cm.stage, 'ResponseComplete');
  assert.equal(cm.level, 'Request');
  assert.equal(cm.user.username, 'system:admin');
  assert.ok(cm.user.groups.includes('system:masters'));
  assert.deepEqual(cm.objectRef, { resource: 'configmaps', namespace: 'default', name: 'audited', apiVersion: 'v1' });
  assert.equal(cm.responseStatus.code, 201);
  assert.equal(cm.requestObject.data.k, 'v');
  assert.match(cm.userAgent, /^kubectl/);
  assert.match(cm.requestURI, /^\/api\/v1\/namespaces\/default\/configmaps/);
  const denied = events.find((e) => e.objectRef?.resource === 'pods' && e.objectRef?.name === 'priv' && e.verb === 'create' && e.stage === 'ResponseComplete')!;
  assert.equal(denied.responseStatus.code, 403);
  assert.equal(denied.responseStatus.reason, 'Forbidden');
  assert.equal(denied.annotations['pod-security.kubernetes.io/enforce-policy'], 'restricted:latest');
  const depEvent = events.find((e) => e.objectRef?.resource === 'deployments' && e.verb === 'create')!;
  assert.equal(depEvent.objectRef.apiGroup, 'apps');
  assert.ok(!events.some((e) => e.user?.groups?.includes('system:nodes')));
  assert.equal(readdirSync(dir).length, 1);

  // Encryption is off on this server: the command says so.
  assert.match(kts(['secrets-encrypt', 'status', '--data-dir', srv.dataDir]).stdout, /Encryption Status: Disabled/);
  const rot = kts(['secrets-encrypt', 'rotate-keys', '--data-dir', srv.dataDir]);
  assert.equal(rot.code, 1);
  assert.match(rot.stderr, /secrets encryption is disabled: start the server with --secrets-encryption/);
});

function handshake(port: number, o: ConnectionOptions): Promise<{ ok: boolean; protocol?: string | null; cipher?: string; fingerprint?: string; error?: string }> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...o }, () => {
      const r = { ok: true, protocol: s.getProtocol(), cipher: s.getCipher().name, fingerprint: s.getPeerCertificate().fingerprint256 };
      s.end();
      resolve(r);
    });
    s.on('error', (e) => resolve({ ok: false, error: e.message }));
  });
}

test('TLS: 1.1 and non-AEAD ciphers are refused; certificate check lists, rotate renews the serving certificate without a restart', async () => {
  const srv = await startServer();
  servers.push(srv);
  // SECLEVEL=0 lets this client offer TLS 1.1 and old ciphers at all: the refusal must be the server's.
  const old = await handshake(srv.port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
  assert.equal(old.ok, false, 'TLS 1.1 accepted');
  // The serving certificate has an ECDSA key: the ECDHE-ECDSA suites are the ones it could pick.
  const cbc = await handshake(srv.port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:AES256-SHA256@SECLEVEL=0' });
  assert.equal(cbc.ok, false, 'a CBC cipher was accepted');
  const gcm = await handshake(srv.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
  assert.deepEqual([gcm.ok, gcm.protocol], [true, 'TLSv1.2']);
  const modern = await handshake(srv.port, {});
  assert.equal(modern.protocol, 'TLSv1.3');

  const check = kts(['certificate', 'check', '--data-dir', srv.dataDir]);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /server\/tls\/serving-kube-apiserver\.crt\s+.*CN=kube-apiserver\s+ServerAuth\s+\S+\s+\d+d\s+OK/);
  assert.match(check.stdout, /server\/tls\/server-ca\.crt/);

  const rotate = kts(['certificate', 'rotate', '--service', 'api-server', '--data-dir', srv.dataDir]);
  assert.equal(rotate.code, 0, rotate.stderr);
  assert.match(rotate.stdout, /rotating server\/tls\/serving-kube-apiserver\.crt/);
  await until(async () => (await handshake(srv.port, {})).fingerprint !== modern.fingerprint, 15_000, 'the new serving certificate');
  assert.equal(srv.kubectl(['get', 'ns', 'default', '-o', 'name']).stdout.trim(), 'namespace/default');
  assert.match(kts(['certificate', 'rotate', '--service', 'bogus', '--data-dir', srv.dataDir]).stderr, /unknown service "bogus"/);
});
