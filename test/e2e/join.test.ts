// Joining agents with bootstrap tokens and CSRs (issue 7, slice A), as a user does it:
// `kts token create --print-join-command` on the server, the printed `kts agent` command (simulated
// node with its own data dir) joins; its CSR is auto-approved and signed; it keeps its own
// system:node certificate on disk and reuses it on restart without the token. A wrong CA hash and
// an expired token are refused with messages that say so; expired tokens are cleaned up. A user's
// client CSR is approved with `kubectl certificate approve` and the certificate authenticates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { startServer, eventually, KTS_BIN, sleep } from './harness.js';
import type { KtsServer } from './harness.js';
import { reserveClusterCidr, type CidrReservation } from '../support/cidr.js';

let srv: KtsServer;
let work: string;
let cidr: CidrReservation | undefined;
const agents: ChildProcess[] = [];
before(async () => {
  // Its own pod network, in case the real agent below runs next to other test clusters.
  cidr = reserveClusterCidr();
  srv = await startServer({ extraArgs: ['--cluster-cidr', cidr.cidr] });
  work = mkdtempSync(join(tmpdir(), 'kts-join-'));
});
const realAgentDirs: string[] = [];
after(async () => {
  for (const a of agents) if (a.exitCode === null) a.kill('SIGKILL');
  for (const d of realAgentDirs) kts(['cleanup', '--data-dir', d]);
  await srv?.cleanup();
  cidr?.release();
  if (work) rmSync(work, { recursive: true, force: true });
});

const kts = (args: string[]) => {
  const r = spawnSync(process.execPath, [KTS_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};
const token = (args: string[]) => kts(['token', ...args, '--data-dir', srv.dataDir]);

function startAgent(args: string[]): { proc: ChildProcess; out: () => string; exited: Promise<number> } {
  let out = '';
  const proc = spawn(process.execPath, [KTS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  agents.push(proc);
  const exited = new Promise<number>((r) => proc.once('exit', (code) => r(code ?? -1)));
  return { proc, out: () => out, exited };
}

interface Csr { metadata: { name: string }; spec: { signerName: string; username: string; groups: string[] }; status: { conditions?: { type: string; reason: string }[]; certificate?: string } }
const csrs = (): Csr[] => JSON.parse(srv.kubectl(['get', 'csr', '-o', 'json']).stdout).items as Csr[];
const nodeReady = (name: string) => /\bReady\b/.test(srv.kubectl(['get', 'node', name, '--no-headers']).stdout);

test('a printed join command joins a node with its own certificate, reused on restart without the token', { timeout: 90_000 }, async () => {
  const created = token(['create', '--print-join-command', '--description', 'e2e join']);
  assert.equal(created.code, 0, created.stderr);
  const cmd = created.stdout.trim().split(/\s+/);
  assert.deepEqual(cmd.slice(0, 3), ['kts', 'agent', '--server']);
  assert.match(created.stdout, /^kts agent --server https:\/\/127\.0\.0\.1:\d+ --token [a-z0-9]{6}\.[a-z0-9]{16} --ca-cert-hash sha256:[0-9a-f]{64}\n$/);
  const id = cmd[cmd.indexOf('--token') + 1]!.split('.')[0]!;
  const list = token(['list']);
  assert.match(list.stdout, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS$/m);
  assert.match(list.stdout, new RegExp(`^${id}\\.[a-z0-9]{16}\\s+23h\\s+\\S+Z\\s+authentication,signing\\s+e2e join\\s+system:bootstrappers:kubeadm:default-node-token$`, 'm'));

  assert.match(kts(['token', 'generate']).stdout, /^[a-z0-9]{6}\.[a-z0-9]{16}\n$/);
  const mine = token(['create', 'mytokn.0123456789abcdef', '--ttl', '0']);
  assert.equal(mine.stdout, 'mytokn.0123456789abcdef\n', mine.stderr);
  assert.match(token(['list']).stdout, /^mytokn\.0123456789abcdef\s+<forever>\s+<never>\s/m);
  const again = token(['create', 'mytokn.0123456789abcdef']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /a token with id "mytokn" already exists/);
  assert.equal(token(['create', 'not-a-token']).code, 2);

  const dataDir = join(work, 'joiner');
  const args = [...cmd.slice(1), '--simulated', '--data-dir', dataDir, '--node-name', 'joiner'];
  const a = startAgent(args);
  await eventually(() => nodeReady('joiner-0'), 30_000, `node joiner-0 Ready:\n${a.out()}`);

  const joined = csrs().filter((c) => c.spec.username === `system:bootstrap:${id}`);
  assert.equal(joined.length, 1);
  assert.equal(joined[0]!.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
  assert.ok(joined[0]!.spec.groups.includes('system:bootstrappers'));
  assert.equal(joined[0]!.status.conditions?.[0]?.reason, 'AutoApproved');
  const table = srv.kubectl(['get', 'csr', joined[0]!.metadata.name]).stdout;
  assert.match(table, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION$/m);
  assert.match(table, new RegExp(`kubernetes.io/kube-apiserver-client-kubelet\\s+system:bootstrap:${id}\\s+<none>\\s+Approved,Issued`));

  const agentDir = join(dataDir, 'agent');
  for (const f of ['kubelet.kubeconfig', 'client-kubelet.crt', 'client-kubelet.key', 'server-ca.crt']) assert.equal(statSync(join(agentDir, f)).mode & 0o777, 0o600, f);
  const cert = new X509Certificate(readFileSync(join(agentDir, 'client-kubelet.crt')));
  assert.deepEqual(cert.subject.split('\n').sort(), ['CN=system:node:joiner-0', 'O=system:nodes']);
  assert.ok(cert.verify(new X509Certificate(readFileSync(join(srv.dataDir, 'server', 'tls', 'client-ca.crt'))).publicKey));
  const kubeconfig = readFileSync(join(agentDir, 'kubelet.kubeconfig'), 'utf8');
  assert.match(kubeconfig, /client-certificate: .*client-kubelet\.crt/);
  assert.doesNotMatch(kubeconfig, /token/);
  const asNode = srv.kubectl(['--kubeconfig', join(agentDir, 'kubelet.kubeconfig'), 'get', 'node', 'joiner-0', '--no-headers']);
  assert.equal(asNode.code, 0, asNode.stderr);

  // Restart without the token: the stored certificate is reused, no new CSR.
  a.proc.kill('SIGTERM');
  await a.exited;
  const before = csrs().length;
  const noToken = args.filter((_, i) => args[i] !== '--token' && args[i - 1] !== '--token');
  const b = startAgent(noToken);
  await eventually(() => /using the node's client certificate/.test(b.out()) && /registered 1 simulated node/.test(b.out()), 20_000, `restart without a token:\n${b.out()}`);
  assert.equal(csrs().length, before);
  b.proc.kill('SIGTERM');
  await b.exited;
});

test('a wrong CA hash and an expired or unknown token are refused with clear messages', { timeout: 60_000 }, async () => {
  const created = token(['create', '--print-join-command']);
  const cmd = created.stdout.trim().split(/\s+/);
  const server = cmd[cmd.indexOf('--server') + 1]!;
  const hash = cmd[cmd.indexOf('--ca-cert-hash') + 1]!;
  const tok = cmd[cmd.indexOf('--token') + 1]!;
  const wrong = startAgent(['agent', '--simulated', '--server', server, '--token', tok, '--ca-cert-hash', `sha256:${'0'.repeat(64)}`, '--data-dir', join(work, 'wrong-hash')]);
  assert.equal(await wrong.exited, 1);
  assert.match(wrong.out(), /CA certificate hash does not match: expected sha256:0{64}, the server presented sha256:[0-9a-f]{64}/);
  assert.ok(!existsSync(join(work, 'wrong-hash', 'agent', 'kubelet.kubeconfig')));

  const short = token(['create', '--ttl', '1s']);
  assert.equal(short.code, 0, short.stderr);
  const expiredToken = short.stdout.trim();
  await sleep(1500);
  const expired = startAgent(['agent', '--simulated', '--server', server, '--token', expiredToken, '--ca-cert-hash', hash, '--data-dir', join(work, 'expired')]);
  assert.equal(await expired.exited, 1);
  assert.match(expired.out(), /401 Unauthorized\): the token is wrong, expired or deleted/);
  // The token cleaner removes the expired Secret.
  await eventually(() => !token(['list']).stdout.includes(expiredToken), 15_000, 'expired token cleaned up');

  const unknown = startAgent(['agent', '--simulated', '--server', server, '--token', 'zzzzzz.0123456789abcdef', '--ca-cert-hash', hash, '--data-dir', join(work, 'unknown')]);
  assert.equal(await unknown.exited, 1);

  // Deleting a token refuses it from then on.
  assert.match(token(['delete', tok]).stdout, new RegExp(`bootstrap token "${tok.split('.')[0]}" deleted`));
  const deleted = startAgent(['agent', '--simulated', '--server', server, '--token', tok, '--ca-cert-hash', hash, '--data-dir', join(work, 'deleted')]);
  assert.equal(await deleted.exited, 1);
});

test('the server node-token joins as a bootstrapper and the node gets its own certificate', { timeout: 60_000 }, async () => {
  const nodeToken = readFileSync(join(srv.dataDir, 'server', 'node-token'), 'utf8').trim();
  const dataDir = join(work, 'k10');
  const a = startAgent(['agent', '--simulated', '--server', `https://127.0.0.1:${srv.port}`, '--token', nodeToken, '--data-dir', dataDir, '--node-name', 'k10']);
  await eventually(() => nodeReady('k10-0'), 30_000, `node k10-0 Ready:\n${a.out()}`);
  const csr = csrs().find((c) => c.spec.username === 'kts:node-token');
  assert.ok(csr?.status.certificate, 'the node-token CSR was issued');
  const cert = new X509Certificate(readFileSync(join(dataDir, 'agent', 'client-kubelet.crt')));
  assert.match(cert.subject, /CN=system:node:k10-0/);
  a.proc.kill('SIGTERM');
  await a.exited;
});

test('kubectl certificate approve issues a user certificate that authenticates; deny issues none', { timeout: 60_000 }, async () => {
  const key = join(work, 'jane.key');
  // An ECDSA key (the agents use RSA): both kinds are signed.
  const csrPem = execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', '/CN=jane/O=dev'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const manifest = (name: string) => `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: ${name}
spec:
  request: ${Buffer.from(csrPem).toString('base64')}
  signerName: kubernetes.io/kube-apiserver-client
  expirationSeconds: 86400
  usages: ["client auth"]
`;
  assert.equal(srv.kubectl(['apply', '-f', '-'], { input: manifest('jane') }).code, 0);
  assert.match(srv.kubectl(['get', 'csr', 'jane']).stdout, /jane\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+system:admin\s+24h\s+Pending/);
  const approve = srv.kubectl(['certificate', 'approve', 'jane']);
  assert.equal(approve.code, 0, approve.stderr);
  assert.match(approve.stdout, /certificatesigningrequest.certificates.k8s.io\/jane approved/);
  const issued = await eventually(() => JSON.parse(srv.kubectl(['get', 'csr', 'jane', '-o', 'json']).stdout).status.certificate as string | undefined, 15_000, 'jane issued') as string;
  const certFile = join(work, 'jane.crt');
  writeFileSync(certFile, Buffer.from(issued, 'base64'));
  const cert = new X509Certificate(readFileSync(certFile));
  assert.deepEqual(cert.subject.split('\n').sort(), ['CN=jane', 'O=dev']);
  const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 0.9 && days <= 1.01, `expirationSeconds honoured (${days} days)`);
  // Authenticated as jane (RBAC grants her nothing yet but who she is).
  const asJane = srv.kubectl(['--kubeconfig', '/dev/null', '--server', `https://127.0.0.1:${srv.port}`, '--certificate-authority', join(srv.dataDir, 'server', 'tls', 'server-ca.crt'), '--client-certificate', certFile, '--client-key', key, 'auth', 'whoami']);
  assert.equal(asJane.code, 0, asJane.stderr);
  assert.match(asJane.stdout, /Username\s+jane\n\s*Groups\s+\[dev system:authenticated\]/);

  assert.equal(srv.kubectl(['apply', '-f', '-'], { input: manifest('joe') }).code, 0);
  assert.equal(srv.kubectl(['certificate', 'deny', 'joe']).code, 0);
  await sleep(1000);
  const joe = JSON.parse(srv.kubectl(['get', 'csr', 'joe', '-o', 'json']).stdout) as Csr;
  assert.equal(joe.status.certificate, undefined);
  assert.match(srv.kubectl(['get', 'csr', 'joe']).stdout, /joe\s+.*\s+Denied\n/);
  // An approval cannot be taken back, and the spec cannot be changed.
  const strip = srv.kubectl(['patch', 'csr', 'jane', '--subresource', 'approval', '--type', 'json', '-p', '[{"op":"replace","path":"/status/conditions","value":[]}]']);
  assert.notEqual(strip.code, 0);
  assert.match(strip.stderr, /updates may not remove a condition of type "Approved"/);
});

test('a real agent joins with the printed command, gets a kubelet serving certificate, and restarts without the token', { timeout: 120_000, skip: process.getuid?.() !== 0 ? 'needs root (containerd)' : false }, async () => {
  const cmd = token(['create', '--print-join-command']).stdout.trim().split(/\s+/);
  const dataDir = join(work, 'real');
  realAgentDirs.push(dataDir);
  const name = `real-${Math.random().toString(36).slice(2, 8)}`;
  const args = [...cmd.slice(1), '--data-dir', dataDir, '--node-ip', '127.0.0.1', '--kubelet-port', '0', '--node-name', name, '--disable-kube-proxy'];
  const a = startAgent(args);
  await eventually(() => /kubelet serving certificate issued/.test(a.out()) && nodeReady(name), 60_000, 'real node Ready with a serving certificate');
  const serving = csrs().find((c) => c.spec.signerName === 'kubernetes.io/kubelet-serving' && c.spec.username === `system:node:${name}`);
  assert.equal(serving?.status.conditions?.[0]?.reason, 'AutoApproved');
  const agentDir = join(dataDir, 'agent');
  const servingCert = new X509Certificate(readFileSync(join(agentDir, 'serving-kubelet.crt')));
  assert.ok(servingCert.verify(new X509Certificate(readFileSync(join(srv.dataDir, 'server', 'tls', 'server-ca.crt'))).publicKey));
  assert.match(servingCert.subjectAltName ?? '', new RegExp(`DNS:${name}.*IP Address:127\\.0\\.0\\.1`));
  assert.equal(statSync(join(agentDir, 'serving-kubelet.key')).mode & 0o777, 0o600);
  a.proc.kill('SIGTERM');
  await a.exited;
  const count = csrs().length;
  const noToken = args.filter((_, i) => args[i] !== '--token' && args[i - 1] !== '--token');
  const b = startAgent(noToken);
  await eventually(() => /node \S+ registered/.test(b.out()), 60_000, 'restarted without the token');
  assert.match(b.out(), /using the node's client certificate/);
  assert.equal(csrs().length, count, 'no new CSRs: both certificates reused');
  b.proc.kill('SIGTERM');
  await b.exited;
});
