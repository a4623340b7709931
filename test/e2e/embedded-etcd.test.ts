// kts server --cluster-init: an etcd member launched and supervised by kts (TLS for clients and
// peers, data under <data-dir>/server/db/etcd), reused after a restart, gone when the server is.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './harness.js';
import type { KtsServer } from './harness.js';
import { freePort } from '../support/etcd.js';
import { findEtcdProcesses } from '../../src/server/etcd/etcd-process.js';

const servers: KtsServer[] = [];
after(async () => {
  for (const s of servers) await s.cleanup();
});

async function etcdPorts(): Promise<string[]> {
  return ['--etcd-client-port', String(await freePort()), '--etcd-peer-port', String(await freePort())];
}

test('--cluster-init runs an etcd member as a child; a restart reuses it; kill -9 leaves nothing behind', async () => {
  const srv = await startServer({ extraArgs: ['--cluster-init', '--node-name', 'solo', ...(await etcdPorts())] });
  servers.push(srv);
  const etcdDir = join(srv.dataDir, 'server', 'db', 'etcd');
  assert.match(srv.logs(), /etcd: creating a new cluster with member solo \(https:\/\/127\.0\.0\.1:\d+\)/);
  assert.match(srv.logs(), /datastore: embedded etcd 3\.\d+\.\d+ at https:\/\/127\.0\.0\.1:\d+ \(revision 1\)/);
  for (const f of ['ca.crt', 'server-client.crt', 'peer-server-client.crt', 'client.crt']) assert.ok(existsSync(join(srv.dataDir, 'server', 'tls', 'etcd', f)), f);
  assert.ok(existsSync(join(etcdDir, 'member')) && existsSync(join(etcdDir, 'etcd.log')));
  assert.equal(existsSync(join(srv.dataDir, 'server', 'db', 'state.db')), false, 'no SQLite database');
  assert.equal(findEtcdProcesses(etcdDir).length, 1);

  assert.equal(srv.kubectl(['create', 'configmap', 'kept', '--from-literal=k=v']).code, 0);
  await srv.stop('SIGKILL');
  await waitGone(etcdDir);

  await srv.restart();
  const since = srv.logs().lastIndexOf('data dir');
  assert.match(srv.logs().slice(since), /etcd: reusing member solo/);
  assert.doesNotMatch(srv.logs().slice(since), /creating a new cluster/);
  assert.equal(srv.kubectl(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.k}']).stdout, 'v');

  await srv.stop('SIGTERM');
  assert.match(srv.logs(), /etcd stopped/);
  assert.deepEqual(findEtcdProcesses(etcdDir), []);
});

async function waitGone(etcdDir: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (findEtcdProcesses(etcdDir).length) {
    assert.ok(Date.now() < deadline, 'etcd outlived a kill -9 of its server');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('--cluster-init on a SQLite data dir moves every object into etcd', async () => {
  const lite = await startServer();
  servers.push(lite);
  assert.equal(lite.kubectl(['create', 'namespace', 'moved']).code, 0);
  for (let i = 0; i < 5; i++) assert.equal(lite.kubectl(['create', 'configmap', `cm-${i}`, '-n', 'moved', `--from-literal=i=${i}`]).code, 0);
  assert.equal(lite.kubectl(['create', 'secret', 'generic', 'pw', '-n', 'moved', '--from-literal=p=hunter2']).code, 0);
  const before = lite.kubectl(['get', 'all,configmaps,secrets,serviceaccounts,roles,clusterroles', '-A', '-o', 'name']).stdout.split('\n').filter(Boolean).sort();
  await lite.stop('SIGTERM');

  const srv = await startServer({ dataDir: lite.dataDir, extraArgs: ['--cluster-init', '--node-name', 'migrated', ...(await etcdPorts())] });
  servers.unshift(srv);
  assert.match(srv.logs(), /migrated \d+ object\(s\) from SQLite into etcd; the database was renamed to \S+state\.db\.migrated-/);
  assert.equal(existsSync(join(srv.dataDir, 'server', 'db', 'state.db')), false);
  const afterMove = srv.kubectl(['get', 'all,configmaps,secrets,serviceaccounts,roles,clusterroles', '-A', '-o', 'name']).stdout.split('\n').filter(Boolean).sort();
  assert.deepEqual(afterMove, before);
  assert.equal(srv.kubectl(['get', 'configmap', 'cm-3', '-n', 'moved', '-o', 'jsonpath={.data.i}']).stdout, '3');
  assert.equal(srv.kubectl(['get', 'secret', 'pw', '-n', 'moved', '-o', 'jsonpath={.data.p}']).stdout, Buffer.from('hunter2').toString('base64'));
  assert.equal(srv.kubectl(['create', 'configmap', 'after', '-n', 'moved']).code, 0);

  // A restart does not migrate again.
  await srv.restart();
  assert.equal(srv.logs().match(/migrated \d+ object/g)?.length, 1);
  assert.equal(srv.kubectl(['get', 'configmap', 'after', '-n', 'moved', '-o', 'name']).stdout.trim(), 'configmap/after');
});
