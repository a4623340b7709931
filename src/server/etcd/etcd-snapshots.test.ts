// Snapshot files: k3s's naming, listing (oldest first, temporary files hidden), deleting by name,
// pruning beyond a retention per name, the ls table, and the error without an etcd member.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteSnapshots, listSnapshots, pruneSnapshots, saveSnapshot, snapshotDir, snapshotFileName, snapshotTime } from './etcd-snapshots.js';
import { etcdSnapshotCommand, snapshotTable } from '../../cmd/etcd-snapshot.js';

test('snapshot names: <name>-<node>-<unix seconds>', () => {
  const f = snapshotFileName('on-demand', 'node-1', new Date(1_700_000_000_999));
  assert.equal(f, 'on-demand-node-1-1700000000');
  assert.equal(snapshotTime(f), 1_700_000_000);
  assert.equal(snapshotTime('notes.txt'), undefined);
});

test('ls, delete, prune work on the snapshot files', async () => {
  const serverDir = await mkdtemp(join(tmpdir(), 'kts-snaps-'));
  try {
    assert.deepEqual(await listSnapshots(serverDir), []);
    const dir = snapshotDir(serverDir);
    await mkdir(dir, { recursive: true });
    const names = [3, 1, 2, 5, 4].map((i) => snapshotFileName('etcd-snapshot', 'n1', new Date((1_700_000_000 + i * 3600) * 1000)));
    for (const n of [...names, 'on-demand-n1-1700000100', '.on-demand-n1-1700000200.1.abcd.part', 'kts-sqlite-20240101T000000Z.db']) await writeFile(join(dir, n), 'x'.repeat(10));
    const listed = await listSnapshots(serverDir);
    assert.deepEqual(listed.map((s) => s.name), ['on-demand-n1-1700000100', ...[1, 2, 3, 4, 5].map((i) => `etcd-snapshot-n1-${1_700_000_000 + i * 3600}`)]);
    assert.equal(listed[0]!.location, `file://${join(dir, 'on-demand-n1-1700000100')}`);
    assert.equal(listed[0]!.bytes, 10);

    const pruned = await pruneSnapshots(serverDir, 'etcd-snapshot', 3);
    assert.deepEqual(pruned, [1, 2].map((i) => join(dir, `etcd-snapshot-n1-${1_700_000_000 + i * 3600}`)));
    assert.ok(existsSync(join(dir, 'on-demand-n1-1700000100')), 'other names are not pruned');
    assert.deepEqual(await pruneSnapshots(serverDir, 'etcd-snapshot', 3), []);

    await assert.rejects(deleteSnapshots(serverDir, ['on-demand-n1-1700000100', 'nope', '../x']), /no snapshot named nope, \.\.\/x/);
    assert.ok(existsSync(join(dir, 'on-demand-n1-1700000100')), 'nothing deleted when a name is wrong');
    await deleteSnapshots(serverDir, ['on-demand-n1-1700000100']);
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('on-demand')).length, 0);

    const table = snapshotTable(await listSnapshots(serverDir)).split('\n');
    assert.match(table[0]!, /^Name +Location +Size +Created$/);
    assert.match(table[1]!, /^etcd-snapshot-n1-1700010800 +file:\/\/\S+ +10 +2023-11-15T01:13:20Z$/);
  } finally {
    await rm(serverDir, { recursive: true, force: true });
  }
});

test('save: a clear error when the data dir has no embedded etcd', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kts-snaps-'));
  try {
    await assert.rejects(saveSnapshot(join(dataDir, 'server')), /holds no embedded etcd member: snapshots are for servers started with --cluster-init/);
    let err = '';
    const code = await etcdSnapshotCommand(['save', '--data-dir', dataDir], { out: () => {}, err: (t) => (err += t) });
    assert.equal(code, 1);
    assert.match(err, /^kts etcd-snapshot save: \S+ holds no embedded etcd member/);
    assert.equal(await etcdSnapshotCommand(['delete'], { out: () => {}, err: () => {} }), 2);
    assert.equal(await etcdSnapshotCommand(['prune', '--snapshot-retention', 'x'], { out: () => {}, err: () => {} }), 2);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
