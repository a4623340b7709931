// kts server on an external etcd (--datastore-endpoint http://…, Debian's etcd started here):
// kubectl creates and watches objects, which live in etcd under upstream's /registry/ keys and
// survive kill -9 of the server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, eventually } from './harness.js';
import type { KtsServer } from './harness.js';
import { startEtcd } from '../support/etcd.js';
import type { EtcdCluster } from '../support/etcd.js';
import { EtcdClient } from '../../src/storage/etcd-client.js';

let etcd: EtcdCluster | undefined;
let srv: KtsServer | undefined;
after(async () => {
  await srv?.cleanup();
  await etcd?.cleanup();
});

test('objects live in etcd: create, watch, kill -9 and restart the server', async () => {
  etcd = await startEtcd();
  srv = await startServer({ extraArgs: ['--datastore-endpoint', etcd.endpoint] });
  assert.match(srv.logs(), new RegExp(`datastore: etcd 3\\.\\d+\\.\\d+ at ${etcd.endpoint} \\(revision 1\\)`));
  assert.equal(existsSync(join(srv.dataDir, 'server', 'db', 'state.db')), false, 'no SQLite database');

  assert.equal(srv.kubectl(['create', 'namespace', 'on-etcd']).code, 0);
  const created = srv.kubectl(['create', 'configmap', 'kept', '-n', 'on-etcd', '--from-literal=k=v']);
  assert.equal(created.code, 0, created.stderr);

  const w = srv.kubectlBg(['get', 'configmaps', '-n', 'on-etcd', '-w', '--output-watch-events']);
  let out = '';
  w.stdout!.on('data', (d) => (out += d));
  w.stderr!.on('data', (d) => (out += d));
  await eventually(() => /ADDED\s+kept/.test(out), 10_000, `ADDED kept in:\n${out}`);
  assert.equal(srv.kubectl(['label', 'configmap', 'kept', '-n', 'on-etcd', 'step=one']).code, 0);
  await eventually(() => /MODIFIED\s+kept/.test(out), 10_000, `MODIFIED kept in:\n${out}`);
  assert.equal(srv.kubectl(['create', 'configmap', 'second', '-n', 'on-etcd']).code, 0);
  await eventually(() => /ADDED\s+second/.test(out), 10_000, `ADDED second in:\n${out}`);
  w.kill();

  // What etcdctl or a kube-apiserver would see: upstream's key, the object as stored.
  const client = new EtcdClient({ endpoints: [etcd.endpoint] });
  try {
    const r = await client.range({ key: Buffer.from('/registry/configmaps/on-etcd/kept') });
    assert.equal((JSON.parse(r.kvs[0]!.value.toString()) as { data: { k: string } }).data.k, 'v');
  } finally {
    client.close();
  }

  await srv.stop('SIGKILL');
  await srv.restart();
  const got = srv.kubectl(['get', 'configmap', 'kept', '-n', 'on-etcd', '-o', 'jsonpath={.data.k} {.metadata.labels.step}']);
  assert.equal(got.stdout, 'v one', got.stderr);
  assert.equal(srv.kubectl(['get', 'configmap', 'second', '-n', 'on-etcd', '-o', 'name']).stdout.trim(), 'configmap/second');
  assert.match(srv.kubectl(['get', 'namespace', 'on-etcd', '-o', 'jsonpath={.status.phase}']).stdout, /Active/);
});
