import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { CriError } from '../cri/client.js';
import { decodeHealthResponse, encodeHealthRequest } from './grpc-health.js';
import { Prober, type ProbeTarget } from './probes.js';
import type { Container, Pod } from './types.js';

let server: http.Server;
let port = 0;
let seen: http.IncomingHttpHeaders = {};
let closedPort = 0;
before(async () => {
  server = http.createServer((req, res) => {
    seen = req.headers;
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/ok') res.end('fine');
    else if (u.pathname === '/fail') { res.statusCode = 500; res.end('broken'); }
    else if (u.pathname === '/local-redirect') { res.statusCode = 302; res.setHeader('location', '/ok'); res.end(); }
    else if (u.pathname === '/away') { res.statusCode = 301; res.setHeader('location', 'http://example.invalid/x'); res.end('moved'); }
    else if (u.pathname === '/loop') { res.statusCode = 302; res.setHeader('location', '/loop'); res.end(); }
    else if (u.pathname === '/slow') setTimeout(() => res.end('late'), 1500);
    else if (u.pathname === '/big') res.end('x'.repeat(50_000));
    else { res.statusCode = 404; res.end(); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  closedPort = (tmp.address() as AddressInfo).port;
  await new Promise((r) => tmp.close(r));
});
after(() => server.close());

const execCalls: { id: string; cmd: string[]; timeout: number }[] = [];
const cri = {
  async execSync(id: string, cmd: string[], timeout = 0) {
    execCalls.push({ id, cmd, timeout });
    if (cmd[0] === 'hang') throw new CriError(4, 'context deadline exceeded', 'ExecSync');
    if (cmd[0] === 'gone') throw new CriError(5, 'container not found', 'ExecSync');
    const code = Number(cmd[1] ?? 0);
    return { stdout: Buffer.from('out:'), stderr: Buffer.from(cmd.join(' ')), exitCode: code };
  },
};
const prober = new Prober({ cri, kubeVersion: '1.32' });
const container: Container = { name: 'app', ports: [{ name: 'web', containerPort: 0 }], env: [{ name: 'CODE', value: '3' }] };
const target = (): ProbeTarget => {
  container.ports![0]!.containerPort = port;
  const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [container] } };
  return { pod, container, containerId: 'cid', podIP: '127.0.0.1' };
};

test('httpGet: 2xx success with upstream headers; named ports; custom headers', async () => {
  const r = await prober.probe('readiness', { httpGet: { path: '/ok', port: 'web', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target());
  assert.deepEqual(r, { result: 'success', output: 'fine' });
  assert.equal(seen['user-agent'], 'kube-probe/1.32');
  assert.equal(seen['accept'], '*/*');
  assert.equal(seen['x-probe'], 'yes');
  await prober.probe('readiness', { httpGet: { path: '/ok', port, httpHeaders: [{ name: 'User-Agent', value: 'mine' }, { name: 'Accept', value: '' }] } }, target());
  assert.equal(seen['user-agent'], 'mine');
  assert.equal(seen['accept'], undefined);
});

test('httpGet: status >= 400 fails with upstream message and an Unhealthy event', async () => {
  const r = await prober.probe('liveness', { httpGet: { path: '/fail', port } }, target());
  assert.equal(r.result, 'failure');
  assert.equal(r.output, 'HTTP probe failed with statuscode: 500');
  assert.deepEqual(r.event, { type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500' });
  assert.equal((await prober.probe('liveness', { httpGet: { path: '/missing', port } }, target())).output, 'HTTP probe failed with statuscode: 404');
});

test('httpGet: same-host redirects are followed, other hosts end in a warning, loops stop', async () => {
  assert.deepEqual(await prober.probe('readiness', { httpGet: { path: '/local-redirect', port } }, target()), { result: 'success', output: 'fine' });
  const away = await prober.probe('readiness', { httpGet: { path: '/away', port } }, target());
  assert.equal(away.result, 'success');
  assert.equal(away.output, 'Probe terminated redirects, Response body: moved');
  assert.deepEqual(away.event, { type: 'Warning', reason: 'ProbeWarning', message: 'Readiness probe warning: Probe terminated redirects, Response body: moved' });
  const loop = await prober.probe('readiness', { httpGet: { path: '/loop', port } }, target());
  assert.equal(loop.result, 'failure');
  assert.match(loop.output, /stopped after 10 redirects/);
});

test('httpGet: refused connections and timeouts fail with Go-style errors; bodies are capped', async () => {
  const refused = await prober.probe('startup', { httpGet: { path: '/', port: closedPort } }, target());
  assert.equal(refused.result, 'failure');
  assert.equal(refused.output, `Get "http://127.0.0.1:${closedPort}/": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`);
  assert.equal(refused.event?.message, `Startup probe failed: ${refused.output}`);
  const slow = await prober.probe('readiness', { httpGet: { path: '/slow', port }, timeoutSeconds: 1 }, target());
  assert.equal(slow.output, `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
  const big = await prober.probe('readiness', { httpGet: { path: '/big', port } }, target());
  assert.equal(big.output.length, 10 * 1024);
});

test('httpGet: an unknown named port is an error (unknown result, errored event)', async () => {
  const r = await prober.probe('liveness', { httpGet: { path: '/', port: 'nope' } }, target());
  assert.equal(r.result, 'unknown');
  assert.equal(r.output, 'strconv.Atoi: parsing "nope": invalid syntax');
  assert.equal(r.event?.message, 'Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing "nope": invalid syntax');
});

test('tcpSocket: connect succeeds, refused fails', async () => {
  assert.deepEqual(await prober.probe('liveness', { tcpSocket: { port } }, target()), { result: 'success', output: '' });
  const r = await prober.probe('liveness', { tcpSocket: { port: closedPort, host: '127.0.0.1' } }, target());
  assert.equal(r.output, `dial tcp 127.0.0.1:${closedPort}: connect: connection refused`);
});

test('exec: exit code decides, output is stdout+stderr, env literals expand, timeouts fail, errors retry', async () => {
  execCalls.length = 0;
  assert.deepEqual(await prober.probe('liveness', { exec: { command: ['check', '0'] }, timeoutSeconds: 5 }, target()), { result: 'success', output: 'out:check 0' });
  assert.deepEqual(execCalls[0], { id: 'cid', cmd: ['check', '0'], timeout: 5 });
  const failed = await prober.probe('liveness', { exec: { command: ['check', '$(CODE)'] } }, target());
  assert.equal(failed.result, 'failure');
  assert.equal(failed.output, 'out:check 3');
  const hung = await prober.probe('liveness', { exec: { command: ['hang', 'x'] } }, target());
  assert.deepEqual([hung.result, hung.output], ['failure', 'command "hang x" timed out']);
  execCalls.length = 0;
  const gone = await prober.probe('readiness', { exec: { command: ['gone'] } }, target());
  assert.equal(gone.result, 'unknown');
  assert.equal(execCalls.length, 3, 'errors are retried three times');
  assert.match(gone.output, /NotFound desc = container not found/);
});

test('grpc: health messages round-trip; SERVING succeeds, others fail; no server times out', async () => {
  assert.equal(decodeHealthResponse(Buffer.from([0x08, 0x02])), 2);
  assert.deepEqual([...encodeHealthRequest('db')], [0x0a, 2, 0x64, 0x62]);
  const gs = new grpc.Server();
  const service = {
    Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b },
  };
  gs.addService(service, {
    Check: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from([0x08, call.request.length ? 2 : 1])),
  });
  const gport = await new Promise<number>((r, j) => gs.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
  try {
    assert.equal((await prober.probe('readiness', { grpc: { port: gport } }, target())).result, 'success');
    const sick = await prober.probe('readiness', { grpc: { port: gport, service: 'db' } }, target());
    assert.equal(sick.output, 'service unhealthy (responded with "NOT_SERVING")');
  } finally {
    gs.forceShutdown();
  }
  const none = await prober.probe('readiness', { grpc: { port: closedPort }, timeoutSeconds: 1 }, target());
  assert.equal(none.output, `timeout: failed to connect service "127.0.0.1:${closedPort}" within 1s: context deadline exceeded`);
});
