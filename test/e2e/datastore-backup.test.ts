// `kts datastore backup|restore` with the real binary and kubectl: a backup taken while the server
// runs and serves writes; the namespace deleted afterwards comes back after a restore on the same
// data dir; resourceVersions from before the restore get 410 Expired while new watches work; a
// restore is refused while the server runs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { KTS_BIN, eventually, rawRequest, startServer } from './harness.js';
import type { KtsServer } from './harness.js';

const exec = promisify(execFile);
let srv: KtsServer | undefined;
after(async () => {
  await srv?.cleanup();
});

function datastore(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [KTS_BIN, 'datastore', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

test('backup while running; delete; restore with the server stopped; everything is back and old resourceVersions expire', async () => {
  srv = await startServer();
  const s = srv;
  assert.equal(s.kubectl(['create', 'namespace', 'bk']).code, 0);
  assert.equal(s.kubectl(['create', 'configmap', 'keep', '-n', 'bk', '--from-literal=k=v']).code, 0);
  const keptRv = s.kubectl(['get', 'cm', 'keep', '-n', 'bk', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout;

  // The backup runs in its own process while clients keep writing: none of their writes fails.
  let writing = true;
  const failures: string[] = [];
  let written = 0;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `during-${i}` }, data: { i: String(i) } });
      const r = await rawRequest(s, 'POST', '/api/v1/namespaces/default/configmaps', body, { 'Content-Type': 'application/json' });
      if (r.status === 201) written++;
      else failures.push(`${r.status} ${r.body}`);
    }
  })();
  await eventually(() => written > 5, 10_000, 'writes before the backup');
  const { stdout } = await exec(process.execPath, [KTS_BIN, 'datastore', 'backup', '--data-dir', s.dataDir], { encoding: 'utf8', timeout: 60_000 });
  const writtenAtBackupEnd = written;
  await eventually(() => written > writtenAtBackupEnd + 5, 10_000, 'writes after the backup');
  writing = false;
  await writer;
  assert.deepEqual(failures, []);
  const m = /^backed up revision (\d+) \((\d+) keys, [\d.]+ (?:KiB|MiB)\) to (\S+kts-sqlite-\d{8}T\d{6}Z\.db) in \d+(?:\.\d)? m?s\n$/.exec(stdout);
  assert.ok(m, stdout);
  const [, backupRevision, , file] = m;
  assert.ok(file!.startsWith(`${s.dataDir}/server/db/snapshots/`));
  assert.ok(existsSync(file!));
  assert.ok(Number(backupRevision) >= Number(keptRv));

  assert.equal(s.kubectl(['delete', 'namespace', 'bk', '--timeout=60s']).code, 0);
  await eventually(() => s.kubectl(['get', 'namespace', 'bk']).code !== 0, 30_000, 'namespace bk gone');
  const list = await rawRequest(s, 'GET', '/api/v1/configmaps');
  const staleRv = (JSON.parse(list.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;

  const refused = datastore(['restore', file!, '--data-dir', s.dataDir]);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /stop the kts server using it first/);

  await s.stop();
  const restored = datastore(['restore', file!, '--data-dir', s.dataDir]);
  assert.equal(restored.code, 0, restored.stderr);
  const r = /^restored revision (\d+) .*revision counter raised to (\d+), .*kept as (\S+state\.db\.before-restore-\S+)\n$/.exec(restored.stdout);
  assert.ok(r, restored.stdout);
  assert.equal(r[1], backupRevision);
  assert.ok(Number(r[2]) >= Number(staleRv) + 1000, `counter ${r[2]}, last revision before the restore ${staleRv}`);
  assert.ok(existsSync(r[3]!));

  await s.restart();
  assert.equal(s.kubectl(['get', 'namespace', 'bk', '-o', 'jsonpath={.status.phase}']).stdout, 'Active');
  assert.equal(s.kubectl(['get', 'cm', 'keep', '-n', 'bk', '-o', 'jsonpath={.data.k}']).stdout, 'v');
  assert.equal(s.kubectl(['get', 'cm', 'keep', '-n', 'bk', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout, keptRv);

  // A client resuming from before the restore is told to relist, not left to miss changes.
  const stale = await rawRequest(s, 'GET', `/api/v1/namespaces/bk/configmaps?watch=true&resourceVersion=${staleRv}&timeoutSeconds=5`);
  const event = JSON.parse(stale.body.trim().split('\n')[0]!) as { type: string; object: { code: number; reason: string } };
  assert.deepEqual([event.type, event.object.code, event.object.reason], ['ERROR', 410, 'Expired']);
  const exact = await rawRequest(s, 'GET', `/api/v1/namespaces/bk/configmaps?resourceVersion=${keptRv}&resourceVersionMatch=Exact`);
  assert.equal(exact.status, 410, exact.body);

  // New watches and writes work, above every revision of before.
  const w = s.kubectlBg(['get', 'configmaps', '-n', 'bk', '-w', '--output-watch-events']);
  let out = '';
  w.stdout!.on('data', (d) => (out += d));
  w.stderr!.on('data', (d) => (out += d));
  await eventually(() => /keep/.test(out), 10_000, `the watch lists keep:\n${out}`);
  assert.equal(s.kubectl(['create', 'configmap', 'after', '-n', 'bk', '--from-literal=a=1']).code, 0);
  await eventually(() => /ADDED\s+after/.test(out), 10_000, `ADDED after in:\n${out}`);
  w.kill();
  const afterRv = s.kubectl(['get', 'cm', 'after', '-n', 'bk', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout;
  assert.ok(Number(afterRv) > Number(r[2]), `new write at ${afterRv}, counter ${r[2]}`);
});
