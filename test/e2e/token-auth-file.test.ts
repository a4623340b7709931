// --token-auth-file: static bearer tokens from upstream's CSV format authenticate their users;
// an unknown token is 401; a broken file stops the server with a message naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServer, rawRequest, KTS_BIN } from './harness.js';

test('static tokens authenticate as their users; unknown tokens get 401; a bad file is refused at start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-tokens-'));
  const file = join(dir, 'tokens.csv');
  writeFileSync(file, '# token,user,uid,groups\nadmin-token-1234,carol,1001,"system:masters,ops"\n');
  const srv = await startServer({ extraArgs: ['--token-auth-file', file] });
  try {
    assert.match(srv.logs(), /1 static token\(s\) from /);
    const okRes = await rawRequest(srv, 'GET', '/api/v1/namespaces', undefined, { authorization: 'Bearer admin-token-1234' }, false);
    assert.equal(okRes.status, 200, okRes.body);
    const review = await rawRequest(srv, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }), { authorization: 'Bearer admin-token-1234', 'content-type': 'application/json' }, false);
    assert.equal(review.status, 201, review.body);
    const info = (JSON.parse(review.body) as { status: { userInfo: { username: string; groups: string[] } } }).status.userInfo;
    assert.equal(info.username, 'carol');
    assert.deepEqual(info.groups, ['system:masters', 'ops', 'system:authenticated']);
    const bad = await rawRequest(srv, 'GET', '/api/v1/namespaces', undefined, { authorization: 'Bearer wrong-token' }, false);
    assert.equal(bad.status, 401);
  } finally {
    await srv.cleanup();
  }
  writeFileSync(file, 'only,two\n');
  const r = spawnSync(process.execPath, [KTS_BIN, 'server', '--disable-agent', '--data-dir', join(dir, 'data2'), '--https-listen-port', '0', '--bind-address', '127.0.0.1', '--token-auth-file', file], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /token file '.*tokens\.csv' must have at least 3 columns \(token, user name, user uid\), found 2/);
  rmSync(dir, { recursive: true, force: true });
});
