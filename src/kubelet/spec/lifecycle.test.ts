import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { runHandler, runPostStart, runPreStop, type HookContext } from './lifecycle.js';
import type { Container, LifecycleHandler, Pod } from './types.js';

let server: http.Server;
let port = 0;
let closedPort = 0;
const hits: { url: string; ua: string }[] = [];
before(async () => {
  server = http.createServer((req, res) => {
    hits.push({ url: req.url!, ua: String(req.headers['user-agent']) });
    res.statusCode = req.url === '/500' ? 500 : 200;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  closedPort = (tmp.address() as AddressInfo).port;
  await new Promise((r) => tmp.close(r));
});
after(() => server.close());

const cri = {
  async execSync(_id: string, cmd: string[]) {
    if (cmd[0] === 'slow') await new Promise((r) => setTimeout(r, 3000));
    const code = Number(cmd[cmd.length - 1]);
    return { stdout: Buffer.from('said hi\n'), stderr: Buffer.from(code ? 'oops' : ''), exitCode: code };
  },
};
const ctx = (lifecycle: Container['lifecycle'], over: Partial<HookContext> = {}): HookContext => {
  const container: Container = { name: 'app', lifecycle, ports: [{ name: 'admin', containerPort: port }] };
  const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [container] } };
  return { pod, container, containerId: 'cid', podIP: '127.0.0.1', cri, kubeVersion: '1.32', ...over };
};
const run = (h: LifecycleHandler, over: Partial<HookContext> = {}) => runHandler(h, ctx({ postStart: h }, over));

test('exec hooks: exit 0 passes; otherwise upstream message with output', async () => {
  assert.deepEqual(await run({ exec: { command: ['sh', '-c', 'exit', '0'] } }), { ok: true });
  assert.deepEqual(await run({ exec: { command: ['sh', '-c', 'exit', '3'] } }), {
    ok: false,
    message: 'Exec lifecycle hook ([sh -c exit 3]) for Container "app" in Pod "p_ns(u)" failed - error: command \'sh -c exit 3\' exited with 3: oops, message: "said hi\\noops"',
  });
});

test('httpGet hooks: any response passes (status unchecked, as upstream), named port, UA; refused fails', async () => {
  hits.length = 0;
  assert.deepEqual(await run({ httpGet: { path: '/500', port: 'admin' } }), { ok: true });
  assert.deepEqual(hits, [{ url: '/500', ua: 'kube-lifecycle/1.32' }]);
  const r = await run({ httpGet: { path: '/hook', port: closedPort } });
  assert.deepEqual(r, { ok: false, message: `HTTP lifecycle hook (/hook) for Container "app" in Pod "p_ns(u)" failed - error: Get "http://127.0.0.1:${closedPort}/hook": dial tcp 127.0.0.1:${closedPort}: connect: connection refused` });
});

test('HTTPS hooks against a plain HTTP server fall back to HTTP with an event', async () => {
  const events: string[] = [];
  hits.length = 0;
  assert.deepEqual(await run({ httpGet: { path: '/tls', port, scheme: 'HTTPS' } }, { onEvent: (e) => events.push(`${e.reason}: ${e.message}`) }), { ok: true });
  assert.deepEqual(hits.map((h) => h.url), ['/tls']);
  assert.deepEqual(events, [`LifecycleHTTPFallback: request to HTTPS lifecycle hook 127.0.0.1:${port} got HTTP response, retry with HTTP succeeded`]);
});

test('sleep hooks sleep, and fail when the container goes away first', async () => {
  const t0 = Date.now();
  assert.deepEqual(await run({ sleep: { seconds: 0.05 } }), { ok: true });
  assert.ok(Date.now() - t0 >= 45);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  assert.deepEqual(await run({ sleep: { seconds: 10 } }, { signal: ac.signal }), {
    ok: false, message: 'Sleep lifecycle hook (10) for Container "app" in Pod "p_ns(u)" failed - error: container terminated before sleep hook finished',
  });
  assert.match((await run({})).ok ? '' : 'invalid', /invalid/);
});

test('postStart failure: PostStartHookError and a FailedPostStartHook event without the message', async () => {
  assert.deepEqual(await runPostStart(ctx(undefined)), { ok: true });
  const r = await runPostStart(ctx({ postStart: { exec: { command: ['false', '1'] } } }));
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.reason, 'PostStartHookError');
  assert.match(r.error, /^PostStartHookError: Exec lifecycle hook \(\[false 1\]\)/);
  assert.deepEqual(r.event, { type: 'Warning', reason: 'FailedPostStartHook', message: 'PostStartHook failed' });
});

test('preStop: bounded by the grace period; the rest (at least 2 s) is left for stopping', async () => {
  assert.deepEqual(await runPreStop(ctx(undefined), 30), { elapsedSeconds: 0, remainingGracePeriodSeconds: 30, completed: true });
  const failed = await runPreStop(ctx({ preStop: { exec: { command: ['x', '2'] } } }), 30);
  assert.equal(failed.completed, true);
  assert.deepEqual(failed.event, { type: 'Warning', reason: 'FailedPreStopHook', message: 'PreStopHook failed' });
  assert.match(failed.message!, /^Exec lifecycle hook/);
  const t0 = Date.now();
  const slow = await runPreStop(ctx({ preStop: { sleep: { seconds: 60 } } }), 1);
  assert.ok(Date.now() - t0 < 2000);
  assert.deepEqual(slow, { elapsedSeconds: 1, remainingGracePeriodSeconds: 2, completed: false });
});
