// kts etcd-snapshot and kts server --cluster-reset --cluster-reset-restore-path (k3s's backup
// and restore of the embedded etcd): snapshot, delete a namespace, restore: it is back; clients
// holding resourceVersions from before the restore get 410 and relist; writes and watches work.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KTS_BIN, eventually, rawRequest, startServer } from './harness.js';
import type { KtsServer } from './harness.js';
import { freePort } from '../support/etcd.js';

const servers: KtsServer[] = [];
after(async () => {
  for (const s of servers) await s.cleanup();
});

function kts(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [KTS_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('etcd-snapshot save, ls; delete a namespace; --cluster-reset-restore-path brings it back; delete', async () => {
  const ports = ['--etcd-client-port', String(await freePort()), '--etcd-peer-port', String(await freePort())];
  const srv = await startServer({ extraArgs: ['--cluster-init', '--node-name', 'snap', ...ports] });
  servers.push(srv);
  const d = ['--data-dir', srv.dataDir];
  assert.equal(srv.kubectl(['create', 'namespace', 'keep']).code, 0);
  assert.equal(srv.kubectl(['create', 'configmap', 'cfg', '-n', 'keep', '--from-literal=k=v']).code, 0);

  const saved = kts(['etcd-snapshot', 'save', ...d]);
  assert.equal(saved.code, 0, saved.err);
  assert.equal(saved.err, '');
  const m = /^saved snapshot (on-demand-snap-\d+) \(revision (\d+), (\d+) bytes, sha256 [0-9a-f]{12}…\) to (\S+) in \d+ ms\n$/.exec(saved.out);
  assert.ok(m, saved.out);
  const [, name, , , file] = m;
  assert.equal(file, join(srv.dataDir, 'server', 'db', 'snapshots', name!));
  const ls = kts(['etcd-snapshot', 'ls', ...d]);
  assert.equal(ls.code, 0, ls.err);
  assert.match(ls.out, new RegExp(`^Name +Location +Size +Created\\n${name} +file://${file} +${m[3]} +\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\n$`));

  assert.equal(srv.kubectl(['delete', 'namespace', 'keep', '--wait=true', '--timeout=60s']).code, 0);
  assert.equal(srv.kubectl(['create', 'configmap', 'later']).code, 0);
  const staleRv = srv.kubectl(['get', 'configmap', 'later', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout;
  await srv.stop('SIGTERM');

  const restored = await startServer({ dataDir: srv.dataDir, extraArgs: ['--cluster-reset', `--cluster-reset-restore-path=${file}`, '--node-name', 'snap', ...ports] });
  servers.unshift(restored);
  assert.match(restored.logs(), /cluster reset: restored \S+ \(revision \d+\) as a new one-member etcd cluster; the previous member data \(revision \d+\) is kept as \S+\/db\/etcd-old-\d+; other servers must rejoin/);
  assert.match(restored.logs(), /cluster reset: revision raised from \d+ to \d+ .* compacted below it/);
  assert.ok(readdirSync(join(srv.dataDir, 'server', 'db')).some((f) => /^etcd-old-\d+$/.test(f)), 'old member data kept');
  assert.equal(restored.kubectl(['get', 'namespace', 'keep', '-o', 'jsonpath={.status.phase}']).stdout, 'Active');
  assert.equal(restored.kubectl(['get', 'configmap', 'cfg', '-n', 'keep', '-o', 'jsonpath={.data.k}']).stdout, 'v');
  assert.equal(restored.kubectl(['get', 'configmap', 'later', '-o', 'name']).code, 1, 'written after the snapshot: gone');

  // A resourceVersion from before the restore is expired, not a silent future.
  const stale = await rawRequest(restored, 'GET', `/api/v1/configmaps?watch=1&resourceVersion=${staleRv}&timeoutSeconds=5`);
  assert.match(`${stale.status} ${stale.body}`, /"code":410|^410/);

  // Writes and watches work.
  const watch = restored.kubectlBg(['get', 'configmaps', '-n', 'keep', '-w', '-o', 'name']);
  let seen = '';
  watch.stdout!.on('data', (c) => (seen += c));
  await eventually(() => seen.includes('configmap/cfg'), 15_000, 'the watch lists cfg');
  assert.equal(restored.kubectl(['create', 'configmap', 'after', '-n', 'keep']).code, 0);
  await eventually(() => seen.includes('configmap/after'), 15_000, 'the watch sees the new configmap');
  watch.kill();

  // A restart after the reset reuses the restored member.
  await restored.stop('SIGTERM');
  const again = await startServer({ dataDir: srv.dataDir, extraArgs: ['--node-name', 'snap', ...ports] });
  servers.unshift(again);
  assert.match(again.logs(), /etcd: reusing member snap/);
  assert.equal(again.kubectl(['get', 'configmap', 'after', '-n', 'keep', '-o', 'name']).stdout.trim(), 'configmap/after');

  const del = kts(['etcd-snapshot', 'delete', name!, ...d]);
  assert.equal(del.code, 0, del.err);
  assert.equal(del.out, `deleted ${file}\n`);
  assert.equal(existsSync(file!), false);
  assert.equal(kts(['etcd-snapshot', 'delete', name!, ...d]).code, 1);
});

test('scheduled snapshots: taken on the schedule, pruned to the retention', async () => {
  const ports = ['--etcd-client-port', String(await freePort()), '--etcd-peer-port', String(await freePort())];
  const srv = await startServer({ extraArgs: ['--cluster-init', '--node-name', 'sched', '--etcd-snapshot-schedule-cron', '@every 1s', '--etcd-snapshot-retention', '2', ...ports] });
  servers.push(srv);
  const dir = join(srv.dataDir, 'server', 'db', 'snapshots');
  await eventually(() => (srv.logs().match(/etcd snapshot etcd-snapshot-sched-\d+: revision \d+, \d+ bytes/g)?.length ?? 0) >= 4, 20_000, 'four scheduled snapshots');
  assert.match(srv.logs(), /pruned 1 beyond the newest 2/);
  const files = readdirSync(dir).filter((f) => f.startsWith('etcd-snapshot-sched-'));
  assert.ok(files.length <= 3 && files.length >= 2, files.join(','));
});
