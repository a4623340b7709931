// An HA control plane with a node (issue 8's "done when" 2 and 3): three servers on one embedded
// etcd cluster and a simulated agent joined to the first. kill -9 of the server the agent talks
// to: the agent fails over (its nodes stay Ready past the 40 s grace), the running pods are
// untouched, and the controllers and scheduler keep working from a survivor. Then two of three
// down: writes are refused with an error instead of hanging; one back and the cluster recovers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, eventually, sleep } from './harness.js';
import type { KtsServer } from './harness.js';
import { freePort } from '../support/etcd.js';

const servers: KtsServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.cleanup()));
});

async function etcdArgs(name: string): Promise<string[]> {
  return ['--node-name', name, '--etcd-client-port', String(await freePort()), '--etcd-peer-port', String(await freePort())];
}

interface PodList {
  items: { metadata: { name: string; uid: string }; spec: { nodeName?: string }; status: { phase?: string } }[];
}

test('an agent of an HA control plane survives the loss of its server; no quorum refuses writes, and the cluster recovers', async () => {
  const first = await startServer({ extraArgs: ['--cluster-init', ...(await etcdArgs('s1'))] });
  servers.push(first);
  const token = readFileSync(join(first.dataDir, 'server', 'node-token'), 'utf8').trim();
  for (const name of ['s2', 's3']) servers.push(await startServer({ extraArgs: ['--server', `https://127.0.0.1:${first.port}`, '--token', token, ...(await etcdArgs(name))] }));
  const [s1, s2, s3] = servers as [KtsServer, KtsServer, KtsServer];

  // Every server publishes itself among the kubernetes Service's endpoints.
  await eventually(() => s2.kubectl(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[*].ports[*].port}']).stdout.split(' ').length === 3, 20_000, 'three API servers in the kubernetes endpoints');

  s1.startSimulatedAgent(['--nodes', '2', '--node-name', 'ha']);
  await eventually(() => s2.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}']).stdout.trim() === 'True True', 30_000, 'two Ready nodes');
  await eventually(() => /API servers: .*,.*,/.test(s1.logs()), 35_000, 'the agent knows the three servers');

  assert.equal(s2.kubectl(['create', 'deployment', 'web', '--image=busybox', '--replicas=3']).code, 0);
  const running = () => JSON.parse(s3.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json']).stdout || '{"items":[]}') as PodList;
  await eventually(() => running().items.filter((p) => p.status.phase === 'Running').length === 3, 40_000, 'three pods Running');
  const before = new Map(running().items.map((p) => [p.metadata.name, p.metadata.uid]));

  // The agent's server dies (the first server, which took the controllers' and scheduler's Leases);
  // past the 40 s node grace period its nodes are still Ready.
  const leads = (s: KtsServer, name: string) => new RegExp(`became leader for ${name} `).test(s.logs());
  const firstLeads = leads(s1, 'kube-controller-manager') && leads(s1, 'kube-scheduler');
  await s1.stop('SIGKILL');
  const killedAt = Date.now();
  if (firstLeads) {
    // The controllers and the scheduler move to a survivor within 15 s (12 s Leases, 2 s retries).
    for (const name of ['kube-controller-manager', 'kube-scheduler']) {
      await eventually(() => leads(s2, name) || leads(s3, name), 25_000, `${name} leading on a survivor`);
      const moved = (Date.now() - killedAt) / 1000;
      assert.ok(moved <= 16, `${name} moved after ${moved} s`);
      process.stdout.write(`# ${name} moved to a survivor ${moved.toFixed(1)} s after the kill\n`);
    }
  }
  await sleep(45_000 - (Date.now() - killedAt));
  const ready = s2.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}']).stdout.trim();
  assert.equal(ready, 'True True', `nodes after losing their server: ${ready}\n${s2.kubectl(['describe', 'nodes']).stdout}`);
  // The running pods are the same ones, still Running.
  const now = running().items;
  assert.deepEqual(new Map(now.map((p) => [p.metadata.name, p.metadata.uid])), before);
  assert.ok(now.every((p) => p.status.phase === 'Running'));
  // A controller manager and a scheduler are active on a survivor: a scale-up is created, placed, run.
  assert.equal(s3.kubectl(['scale', 'deployment', 'web', '--replicas=4']).code, 0);
  await eventually(() => running().items.filter((p) => p.status.phase === 'Running').length === 4, 40_000, 'the fourth pod Running');

  // Two of three down: no quorum. A write is refused with an error, not left hanging.
  await s2.stop('SIGKILL');
  const t0 = Date.now();
  const refused = s3.kubectl(['create', 'configmap', 'no-quorum', '--request-timeout=60s'], { timeoutMs: 70_000 });
  assert.notEqual(refused.code, 0, 'a write without quorum must fail');
  assert.ok(Date.now() - t0 < 60_000, `refused in ${Date.now() - t0} ms`);
  assert.match(refused.stderr, /etcd|leader|quorum|unavailable|storage/i);

  // One back: the cluster recovers by itself and takes writes again.
  await s2.restart();
  await eventually(() => s3.kubectl(['create', 'configmap', 'quorum-again']).code === 0 || s3.kubectl(['get', 'configmap', 'quorum-again']).code === 0, 60_000, 'writes accepted again');
  assert.equal(s2.kubectl(['get', 'configmap', 'quorum-again', '-o', 'name']).stdout.trim(), 'configmap/quorum-again');
});
