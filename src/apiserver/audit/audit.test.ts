import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, writeFileSync, utimesSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditPolicyError, DEFAULT_POLICY, evaluatePolicy, parsePolicy } from './policy.js';
import type { AuditAttributes } from './policy.js';
import { AuditFileWriter } from './file-writer.js';
import { Auditor } from './auditor.js';
import { parseRequestInfo } from '../request-info.js';
import { noteRequestObject, readBody } from '../body.js';
import { StatusError } from '../../api/errors.js';

const attrs = (o: Partial<AuditAttributes> = {}): AuditAttributes => ({ user: { name: 'alice', groups: ['dev', 'system:authenticated'] }, verb: 'get', isResourceRequest: true, path: '/api/v1/namespaces/a/pods/p', group: '', resource: 'pods', subresource: '', namespace: 'a', name: 'p', ...o });

test('policy: first matching rule wins; users, groups, verbs, resources, namespaces, non-resource URLs, omitStages', () => {
  const p = parsePolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: [system:kube-proxy]
  - level: RequestResponse
    resources: [{ group: "", resources: ["secrets"] }]
    namespaces: [prod]
  - level: Request
    verbs: [create, update]
    userGroups: [dev]
    omitStages: [ResponseComplete]
  - level: None
    nonResourceURLs: ["/healthz*", "/version"]
  - level: Metadata
    resources: [{ group: "", resources: ["pods/log"] }]
  - level: Metadata
    resources: [{ group: apps }]
`);
  assert.deepEqual(evaluatePolicy(p, attrs({ user: { name: 'system:kube-proxy', groups: [] } })), { level: 'None', omitStages: ['RequestReceived'] });
  assert.equal(evaluatePolicy(p, attrs({ resource: 'secrets', namespace: 'prod' })).level, 'RequestResponse');
  assert.equal(evaluatePolicy(p, attrs({ resource: 'secrets', namespace: 'dev' })).level, 'None');
  assert.deepEqual(evaluatePolicy(p, attrs({ verb: 'create' })), { level: 'Request', omitStages: ['RequestReceived', 'ResponseComplete'] });
  assert.equal(evaluatePolicy(p, attrs({ isResourceRequest: false, path: '/healthz/ready', resource: '' })).level, 'None');
  assert.equal(evaluatePolicy(p, attrs({ subresource: 'log' })).level, 'Metadata');
  assert.equal(evaluatePolicy(p, attrs()).level, 'None');
  assert.equal(evaluatePolicy(p, attrs({ group: 'apps', resource: 'deployments' })).level, 'Metadata');
  assert.equal(evaluatePolicy(DEFAULT_POLICY, attrs()).level, 'Metadata');
  assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]'), /rules\[0\]\.level: Unsupported value: "Loud"/);
  assert.throws(() => parsePolicy('apiVersion: v1\nkind: Policy\nrules: [{level: None}]'), AuditPolicyError);
  assert.throws(() => parsePolicy('kind: Policy\nrules: [{level: None}]'), /apiVersion: Required value: must be "audit\.k8s\.io\/v1"/);
  assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, omitStages: [Sometimes]}]'), /omitStages\[0\]/);
});

test('writer: buffered lines reach the file; rotation at maxsize keeps maxbackup files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-audit-'));
  const errors: string[] = [];
  const w = new AuditFileWriter({ path: join(dir, 'audit.log'), maxSize: 1, maxBackup: 2, maxAge: 0, onError: (m) => errors.push(m) });
  const line = 'x'.repeat(100_000);
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 6; i++) w.write(line);
    await w.flush();
  }
  await w.close();
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 3, files.join());
  assert.ok(files.includes('audit.log'));
  for (const f of files.filter((x) => x !== 'audit.log')) assert.match(f, /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/);
  for (const f of files) assert.ok(statSync(join(dir, f)).size <= 1024 * 1024 + 100_001);
  assert.equal(statSync(join(dir, 'audit.log')).mode & 0o777, 0o600);
  assert.deepEqual(errors, []);
});

test('writer: maxage removes old backups; a disk error is reported, not thrown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-audit-'));
  const old = join(dir, 'audit-2020-01-01T00-00-00.000.log');
  writeFileSync(old, 'old\n');
  utimesSync(old, new Date('2020-01-01'), new Date('2020-01-01'));
  writeFileSync(join(dir, 'audit.log'), 'y'.repeat(1024 * 1024));
  const w = new AuditFileWriter({ path: join(dir, 'audit.log'), maxSize: 1, maxBackup: 0, maxAge: 1, onError: () => {} });
  w.write('new');
  await w.close();
  const files = readdirSync(dir);
  assert.ok(!files.includes('audit-2020-01-01T00-00-00.000.log'), files.join());
  assert.equal(files.length, 2);

  const errors: string[] = [];
  // The directory vanished after the writer was made: every write fails with ENOENT.
  const w2 = new AuditFileWriter({ path: join(dir, 'gone', 'audit.log'), maxSize: 0, maxBackup: 0, maxAge: 0, onError: (m) => errors.push(m) });
  rmSync(join(dir, 'gone'), { recursive: true });
  w2.write('a');
  await w2.flush();
  w2.write('b');
  await w2.close();
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /ENOENT/);
});

test('auditor: events with user, objectRef, responseStatus; RequestReceived only when not omitted; bodies at Request level', async () => {
  const lines: string[] = [];
  const policy = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n  resources: [{group: "", resources: [configmaps]}]\n- level: Metadata\n');
  const auditor = new Auditor(policy, { write: (l) => lines.push(l) });
  const server = createServer((req, res) => {
    void (async () => {
      const rec = auditor.begin(req, res);
      rec.authenticated({ name: 'bob', groups: ['system:authenticated'] });
      const url = new URL(req.url!, 'http://x');
      rec.target(parseRequestInfo(req.method!, url.pathname, url.searchParams), url.pathname);
      const body = await readBody(req);
      // As the decoder does for every wire format.
      noteRequestObject(req, JSON.parse(body.toString('utf8')) as { metadata?: { name?: string } });
      if (url.pathname.includes('forbidden')) {
        rec.failed(new StatusError(403, 'Forbidden', 'nope'));
        res.writeHead(403).end('{}');
        return;
      }
      rec.annotations['example/a'] = 'b';
      res.writeHead(201, { 'content-type': 'application/json' }).end(body);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const send = (path: string, body: unknown) => new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'kubectl/test' } }, (res) => (res.resume(), res.on('end', resolve)));
    req.end(JSON.stringify(body));
  });
  await send('/api/v1/namespaces/ns/configmaps', { metadata: { name: 'cm1' }, data: { k: 'v' } });
  await send('/api/v1/namespaces/forbidden/pods', { metadata: { name: 'p1' } });
  await new Promise((r) => setTimeout(r, 50));
  server.close();
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(events.map((e) => e.stage), ['RequestReceived', 'ResponseComplete', 'RequestReceived', 'ResponseComplete']);
  type Ev = { kind: string; apiVersion: string; level: string; verb: string; user: unknown; objectRef: unknown; responseStatus: unknown; requestObject?: unknown; responseObject?: unknown; annotations?: unknown; userAgent: string; sourceIPs: string[]; stageTimestamp: string };
  const [, cm, , denied] = events as unknown as Ev[];
  assert.equal(cm!.kind, 'Event');
  assert.equal(cm!.apiVersion, 'audit.k8s.io/v1');
  assert.equal(cm!.level, 'RequestResponse');
  assert.equal(cm!.verb, 'create');
  assert.deepEqual(cm!.user, { username: 'bob', groups: ['system:authenticated'] });
  assert.deepEqual(cm!.objectRef, { resource: 'configmaps', namespace: 'ns', name: 'cm1', apiVersion: 'v1' });
  assert.deepEqual(cm!.responseStatus, { metadata: {}, code: 201 });
  assert.deepEqual(cm!.requestObject, { metadata: { name: 'cm1' }, data: { k: 'v' } });
  assert.deepEqual(cm!.responseObject, { metadata: { name: 'cm1' }, data: { k: 'v' } });
  assert.deepEqual(cm!.annotations, { 'example/a': 'b' });
  assert.equal(cm!.userAgent, 'kubectl/test');
  assert.deepEqual(cm!.sourceIPs, ['127.0.0.1']);
  assert.match(cm!.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(denied!.level, 'Metadata');
  assert.equal(denied!.requestObject, undefined);
  assert.deepEqual(denied!.responseStatus, { metadata: {}, status: 'Failure', message: 'nope', reason: 'Forbidden', code: 403 });
});

test('auditor: upgraded requests (exec) are recorded when the stream closes, with code 101', async () => {
  const lines: string[] = [];
  const auditor = new Auditor(DEFAULT_POLICY, { write: (l) => lines.push(l) });
  const server = createServer();
  server.on('upgrade', (req, socket) => {
    const rec = auditor.begin(req, socket);
    rec.authenticated({ name: 'carol', groups: [] });
    const url = new URL(req.url!, 'http://x');
    rec.target(parseRequestInfo(req.method!, url.pathname, url.searchParams), url.pathname);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n');
    socket.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/namespaces/ns/pods/p/exec?command=sh', method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'x' } });
    req.on('upgrade', (_res, sock) => sock.on('close', () => resolve()).resume());
    req.end();
  });
  await new Promise((r) => setTimeout(r, 50));
  server.close();
  const ev = JSON.parse(lines.at(-1)!) as { verb: string; objectRef: unknown; responseStatus: unknown; user: { username: string } };
  assert.equal(ev.verb, 'create');
  assert.deepEqual(ev.objectRef, { resource: 'pods', namespace: 'ns', name: 'p', apiVersion: 'v1', subresource: 'exec' });
  assert.deepEqual(ev.responseStatus, { metadata: {}, code: 101 });
  assert.equal(ev.user.username, 'carol');
});

test('auditor: a watch gets ResponseStarted when its headers go out, unless the policy omits it', async () => {
  for (const [policyText, stages] of [
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]', ['RequestReceived', 'ResponseStarted', 'ResponseComplete']],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived, ResponseStarted]\nrules: [{level: Metadata}]', ['ResponseComplete']],
  ] as const) {
    const lines: string[] = [];
    const auditor = new Auditor(parsePolicy(policyText), { write: (l) => lines.push(l) });
    const server = createServer((req, res) => {
      const rec = auditor.begin(req, res);
      const url = new URL(req.url!, 'http://x');
      rec.target(parseRequestInfo(req.method!, url.pathname, url.searchParams), url.pathname);
      res.write('{"type":"ADDED"}\n');
      setTimeout(() => res.end(), 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => request({ host: '127.0.0.1', port, path: '/api/v1/pods?watch=true' }, (res) => (res.resume(), res.on('end', resolve))).end());
    await new Promise((r) => setTimeout(r, 30));
    server.close();
    const events = lines.map((l) => JSON.parse(l) as { stage: string; verb: string; responseStatus?: { code: number } });
    assert.deepEqual(events.map((e) => e.stage), stages);
    assert.ok(events.every((e) => e.verb === 'watch'));
  }
});
