// Watch with the real kubectl: `get -w` shows ADDED/MODIFIED/DELETED as another client writes;
// `get pod X -w` shows the first change (the server's synthetic ADDED is hidden by kubectl).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, eventually, rawRequest } from './harness.js';
import type { KtsServer } from './harness.js';

let srv: KtsServer;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.cleanup();
});

test('get -w streams changes made by another client', async () => {
  const w = srv.kubectlBg(['get', 'configmaps', '-w', '--output-watch-events']);
  let out = '';
  w.stdout!.on('data', (d) => (out += d));
  w.stderr!.on('data', (d) => (out += d));
  await eventually(() => out.includes('kube-root-ca.crt') || out.includes('NAME') || out.length > 0 || true, 2000);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(srv.kubectl(['create', 'configmap', 'w1', '--from-literal=a=1']).code, 0);
  await eventually(() => /ADDED\s+w1/.test(out), 10_000, `ADDED w1 in:\n${out}`);
  assert.equal(srv.kubectl(['label', 'cm', 'w1', 'x=y']).code, 0);
  await eventually(() => /MODIFIED\s+w1/.test(out), 10_000, `MODIFIED w1 in:\n${out}`);
  assert.equal(srv.kubectl(['delete', 'cm', 'w1']).code, 0);
  await eventually(() => /DELETED\s+w1/.test(out), 10_000, `DELETED w1 in:\n${out}`);
  w.kill();
});

test('get X -w shows the first change', async () => {
  assert.equal(srv.kubectl(['create', 'configmap', 'single', '--from-literal=a=1']).code, 0);
  const w = srv.kubectlBg(['get', 'cm', 'single', '-w', '-o', 'jsonpath={.metadata.labels.step}{"\\n"}']);
  let out = '';
  w.stdout!.on('data', (d) => (out += d));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(srv.kubectl(['label', 'cm', 'single', 'step=one']).code, 0);
  await eventually(() => out.includes('one'), 10_000, `first change in:\n${out}`);
  w.kill();
});

test('watch from a resourceVersion resumes; bookmarks; label selector transitions', async () => {
  const list = await rawRequest(srv, 'GET', '/api/v1/namespaces/default/configmaps');
  const rv = (JSON.parse(list.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  srv.kubectl(['create', 'configmap', 'sel', '--from-literal=a=1']);
  srv.kubectl(['label', 'cm', 'sel', 'pick=yes']);
  srv.kubectl(['label', 'cm', 'sel', 'pick-']);
  const r = await rawRequest(srv, 'GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&labelSelector=pick%3Dyes&timeoutSeconds=1`);
  const events = r.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
  assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED sel', 'DELETED sel']);
  // After a restart the watch cache starts empty: older resourceVersions replay from storage.
  await srv.restart();
  const old = await rawRequest(srv, 'GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&labelSelector=pick%3Dyes&timeoutSeconds=1`);
  const replayed = old.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
  assert.deepEqual(replayed.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED sel', 'DELETED sel']);
  const bm = await rawRequest(srv, 'GET', `/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`);
  const last = JSON.parse(bm.body.trim().split('\n').pop()!) as { type: string; object: { metadata: { annotations?: Record<string, string> } } };
  assert.equal(last.type, 'BOOKMARK');
  assert.equal(last.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
});
