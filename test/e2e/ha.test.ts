// Three `kts server` processes on one embedded etcd cluster (--cluster-init, then two joining with
// --server and the node token), control planes only: each sees what another wrote, and after a
// kill -9 of one server (its etcd member dies with it) writes through the others keep working and
// nothing acknowledged is lost; a joined server restarts on its own member.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, eventually } from './harness.js';
import type { KtsServer } from './harness.js';
import { freePort } from '../support/etcd.js';
import { findEtcdProcesses } from '../../src/server/etcd/etcd-process.js';
import { EtcdClient } from '../../src/storage/etcd-client.js';

const servers: KtsServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.cleanup()));
});

async function etcdArgs(name: string): Promise<string[]> {
  return ['--node-name', name, '--etcd-client-port', String(await freePort()), '--etcd-peer-port', String(await freePort())];
}

test('three servers share one etcd: reads across servers, kill -9 of one keeps the others writing', async () => {
  const first = await startServer({ extraArgs: ['--cluster-init', ...(await etcdArgs('s1'))] });
  servers.push(first);
  const token = readFileSync(join(first.dataDir, 'server', 'node-token'), 'utf8').trim();
  for (const name of ['s2', 's3']) {
    const s = await startServer({ extraArgs: ['--server', `https://127.0.0.1:${first.port}`, '--token', token, ...(await etcdArgs(name))] });
    servers.push(s);
    assert.match(s.logs(), new RegExp(`etcd: added member ${name} \\(https://127\\.0\\.0\\.1:\\d+\\) to the cluster`));
    assert.equal(readFileSync(join(s.dataDir, 'server', 'node-token'), 'utf8').trim(), token, 'the same node token');
  }
  const [s1, s2, s3] = servers as [KtsServer, KtsServer, KtsServer];

  // One etcd cluster of three started members.
  const tls = (s: KtsServer) => {
    const f = (n: string) => readFileSync(join(s.dataDir, 'server', 'tls', 'etcd', n), 'utf8');
    return { caPem: f('ca.crt'), certPem: f('client.crt'), keyPem: f('client.key') };
  };
  const url = /serves clients at (https:\/\/\S+),/.exec(s2.logs())![1]!;
  const client = new EtcdClient({ endpoints: [url], tls: tls(s2) });
  try {
    assert.deepEqual((await client.memberList()).map((m) => m.name).sort(), ['s1', 's2', 's3']);
  } finally {
    client.close();
  }

  // Written through one server, read through each of the others.
  assert.equal(s2.kubectl(['create', 'configmap', 'from-s2', '--from-literal=k=2']).code, 0);
  assert.equal(s3.kubectl(['create', 'namespace', 'from-s3']).code, 0);
  for (const s of [s1, s3]) await eventually(() => s.kubectl(['get', 'configmap', 'from-s2', '-o', 'jsonpath={.data.k}']).stdout === '2', 10_000, 'from-s2 everywhere');
  for (const s of [s1, s2]) await eventually(() => s.kubectl(['get', 'namespace', 'from-s3', '-o', 'name']).stdout.trim() === 'namespace/from-s3', 10_000, 'from-s3 everywhere');

  // kill -9 the first server: its etcd member dies with it; the other two keep a quorum.
  await s1.stop('SIGKILL');
  const etcdDir = join(s1.dataDir, 'server', 'db', 'etcd');
  await eventually(() => findEtcdProcesses(etcdDir).length === 0, 5000, 'the killed server\'s etcd is gone');
  const acknowledged: string[] = [];
  for (let i = 0; i < 6; i++) {
    const via = i % 2 ? s3 : s2;
    const name = `after-${i}`;
    // A write may meet the cluster while it elects a new leader; kubectl reports a failure then.
    await eventually(() => via.kubectl(['create', 'configmap', name]).code === 0 || via.kubectl(['get', 'configmap', name]).code === 0, 20_000, `create ${name}`);
    acknowledged.push(name);
  }
  for (const s of [s2, s3]) {
    await eventually(() => {
      const names = s.kubectl(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}']).stdout.split(' ');
      return [...acknowledged, 'from-s2'].every((n) => names.includes(n));
    }, 10_000, 'every acknowledged write on both remaining servers');
  }

  // A joined server restarts on its own member (no second join), with the quorum of two.
  await s2.stop('SIGKILL');
  await s2.restart();
  const since = s2.logs().lastIndexOf('data dir');
  assert.match(s2.logs().slice(since), /etcd: reusing member s2/);
  assert.doesNotMatch(s2.logs().slice(since), /joining the cluster/);
  assert.equal(s2.kubectl(['get', 'configmap', 'after-5', '-o', 'name']).stdout.trim(), 'configmap/after-5');
});
