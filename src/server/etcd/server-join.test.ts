import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../../api/errors.js';
import { SERVER_BOOTSTRAP_PATH, serverBootstrapRoute } from './server-join.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-server-join-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const token = `K10${'b'.repeat(64)}::server:s3cret`;
for (const rel of ['tls/server-ca.crt', 'tls/server-ca.key', 'tls/client-ca.crt', 'tls/client-ca.key', 'tls/service-account.key', 'tls/etcd/ca.crt', 'tls/etcd/ca.key', 'node-token']) {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), `content of ${rel}`);
}
const user = { name: 'kts:node-token', groups: [] };
const call = async (route: ReturnType<typeof serverBootstrapRoute>, bearer: string) => {
  let status = 0;
  let body = '';
  const res = { writeHead: (s: number) => (status = s), end: (t: string) => (body = t) } as unknown as ServerResponse;
  const req = { method: 'GET', headers: { authorization: `Bearer ${bearer}` } } as IncomingMessage;
  try {
    assert.equal(await route(SERVER_BOOTSTRAP_PATH, req, res, user), true);
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    return { status: e.code, body: e.message };
  }
  return { status, body };
};

test('the server bootstrap data goes only to the full node token, and only from a server with the embedded etcd', async () => {
  const route = serverBootstrapRoute(dir, token, 'https://10.0.0.1:2379');
  assert.equal(await route('/version', {} as IncomingMessage, {} as ServerResponse, user), false);
  const ok = await call(route, token);
  assert.equal(ok.status, 200);
  const data = JSON.parse(ok.body) as { files: Record<string, string>; etcdEndpoints: string[] };
  assert.deepEqual(data.etcdEndpoints, ['https://10.0.0.1:2379']);
  assert.equal(data.files['tls/etcd/ca.key'], 'content of tls/etcd/ca.key');
  assert.equal(Object.keys(data.files).length, 8);
  for (const bad of ['s3cret', 'abcdef.0123456789abcdef']) assert.equal((await call(route, bad)).status, 403);
  assert.match((await call(serverBootstrapRoute(dir, token, undefined), token)).body, /does not run the embedded etcd/);
});
