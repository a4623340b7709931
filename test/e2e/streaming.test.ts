// kubectl logs / exec / cp through the real kts API server to a kubelet HTTPS server
// (in this process) whose backend is a fake runtime: log files on disk, commands run as local
// processes. (port-forward is tested against containerd in node.test.ts.) Exercises the apiserver proxy, the kubelet endpoints, the
// WebSocket v5 channel protocol, SPDY over WebSocket, and the SPDY bridge to the runtime.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, rawRequest, eventually, kubectlBinary } from './harness.js';
import { spawn } from 'node:child_process';
import type { KtsServer } from './harness.js';
import { startKubeletServer } from '../../src/kubelet/http/server.js';
import { selfSignedServingCert } from '../../src/kubelet/http/serving-cert.js';
import { FakeBackend, FakeStreamingRuntime } from '../support/fake-streaming-runtime.js';
import { formatCriLine } from '../../src/kubelet/logs/cri-log.js';
import { silentLogger } from '../../src/util/log.js';

let srv: KtsServer;
let runtime: FakeStreamingRuntime;
let backend: FakeBackend;
const ac = new AbortController();
const dir = mkdtempSync(join(tmpdir(), 'kts-streaming-'));
const logPath = join(dir, '0.log');

before(async () => {
  srv = await startServer();
  const ca = srv.kubectl(['get', 'configmap', '-n', 'kube-system', 'extension-apiserver-authentication', '-o', 'jsonpath={.data.client-ca-file}']);
  assert.equal(ca.code, 0, ca.stderr);
  assert.match(ca.stdout, /BEGIN CERTIFICATE/);
  runtime = new FakeStreamingRuntime();
  await runtime.start();
  backend = new FakeBackend(runtime);
  const cert = selfSignedServingCert('fake-node', ['127.0.0.1', 'localhost']);
  const kubelet = await startKubeletServer({ bindAddress: '127.0.0.1', port: 0, tls: { ...cert, clientCaPem: ca.stdout } }, backend, silentLogger, ac.signal);
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'fake-node' } };
  assert.equal((await rawRequest(srv, 'POST', '/api/v1/nodes', JSON.stringify(node), { 'Content-Type': 'application/json' })).status, 201);
  const status = { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'fake-node' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } };
  // Controllers write the new Node too (IPAM, lifecycle): retry on conflicts.
  await eventually(async () => (await rawRequest(srv, 'PATCH', '/api/v1/nodes/fake-node/status', JSON.stringify(status), { 'Content-Type': 'application/merge-patch+json' })).status === 200, 10_000, 'node status patch');
  for (const [name, nodeName, containers] of [['p', 'fake-node', ['c']], ['two', 'fake-node', ['a', 'b']], ['pending', '', ['c']]] as const) {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { ...(nodeName ? { nodeName } : {}), containers: containers.map((c) => ({ name: c, image: 'busybox' })) } };
    const pr = await rawRequest(srv, 'POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod), { 'Content-Type': 'application/json' });
    assert.equal(pr.status, 201, pr.body);
  }
  writeFileSync(logPath, [formatCriLine(new Date('2026-01-01T00:00:00Z'), 'stdout', 'first'), formatCriLine(new Date('2026-01-01T00:00:01Z'), 'stderr', 'sec', true), formatCriLine(new Date('2026-01-01T00:00:01Z'), 'stderr', 'ond')].join(''));
  backend.containers.set('default/p/c', { containerId: 'c1', logPath, running: true });
});

after(async () => {
  ac.abort();
  runtime?.stop();
  await srv?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * kubectl without blocking this process: the kubelet server under test runs here, so the
 * harness's synchronous kubectl would starve it.
 */
function kubectl(args: string[], o: { input?: string; bin?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(kubectlBinary(o.bin ?? 'kubectl'), args, { env: { PATH: process.env.PATH, HOME: srv.home, KUBECONFIG: srv.kubeconfig } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), 60_000);
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    c.stdin.end(o.input ?? '');
  });
}

test('kubectl logs: whole file, --tail, --timestamps; errors as upstream', async () => {
  let r = await kubectl(['logs', 'p']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'first\nsecond\n');
  // As upstream, tail counts the file's raw lines: the last one is the end of a split line.
  r = await kubectl(['logs', 'p', '--tail=1', '--timestamps']);
  assert.equal(r.stdout, '2026-01-01T00:00:01.000000000Z ond\n');
  r = await kubectl(['logs', 'p', '--tail=-1']);
  assert.equal(r.stdout, 'first\nsecond\n');
  r = await kubectl(['logs', 'p', '-c', 'nope']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /container nope is not valid for pod p/);
  r = await kubectl(['logs', 'missing']);
  assert.match(r.stderr, /pods "missing" not found/);
});

test('the API server validates options and defaults containers as upstream', async () => {
  let r = await rawRequest(srv, 'GET', '/api/v1/namespaces/default/pods/two/log');
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).message, 'a container name must be specified for pod two, choose one of: [a b]');
  r = await rawRequest(srv, 'GET', '/api/v1/namespaces/default/pods/p/log?tailLines=-1');
  assert.equal(r.status, 422);
  assert.match(JSON.parse(r.body).message, /tailLines: Invalid value: -1: must be greater than or equal to 0/);
  r = await rawRequest(srv, 'POST', '/api/v1/namespaces/default/pods/pending/exec?command=ls&stdout=true');
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).message, 'pod pending does not have a host assigned');
  r = await rawRequest(srv, 'POST', '/api/v1/namespaces/default/pods/p/exec?stdout=true');
  assert.equal(JSON.parse(r.body).message, 'you must specify at least 1 command');
  r = await rawRequest(srv, 'GET', '/api/v1/namespaces/default/pods/pending/log');
  assert.equal(r.status, 200);
  assert.equal(r.body, '');
});

test('kubectl logs -f follows the file and ends when the container exits', async () => {
  const c = srv.kubectlBg(['logs', '-f', 'p']);
  let out = '';
  c.stdout!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => c.on('exit', r));
  await eventually(() => out === 'first\nsecond\n', 10_000, 'initial log lines');
  appendFileSync(logPath, formatCriLine(new Date(), 'stdout', 'more'));
  await eventually(() => out.endsWith('more\n'), 10_000, 'appended line');
  backend.containers.get('default/p/c')!.running = false;
  assert.equal(await exited, 0);
  backend.containers.get('default/p/c')!.running = true;
});

for (const bin of ['kubectl', 'kubectl.1.31', 'kubectl.1.33']) {
  test(`${bin} exec: output, stderr and exit codes`, async () => {
    const r = await kubectl(['exec', 'p', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], { bin });
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /err/);
    assert.equal(r.code, 3, r.stderr);
    assert.equal((await kubectl(['exec', 'p', '--', 'true'], { bin })).code, 0);
  });
}

test('kubectl exec -i: stdin reaches the command and its end is an EOF', async () => {
  const r = await kubectl(['exec', '-i', 'p', '--', 'sh', '-c', 'cat; echo done'], { input: 'hello\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello\ndone\n');
});

test('kubectl cp copies into and out of the container (tar over exec)', async () => {
  const src = join(dir, 'src.txt');
  writeFileSync(src, 'payload '.repeat(20_000));
  const dest = join(dir, 'in-pod');
  mkdirSync(dest);
  let r = await kubectl(['cp', src, `p:${dest}/copied.txt`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(dest, 'copied.txt'), 'utf8'), readFileSync(src, 'utf8'));
  r = await kubectl(['cp', `p:${dest}/copied.txt`, join(dir, 'back.txt')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'back.txt'), 'utf8'), readFileSync(src, 'utf8'));
});
