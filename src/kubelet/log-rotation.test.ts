import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { rotateIfNeeded } from './log-rotation.js';

test('a log over the limit is rotated, the runtime reopens it, and old files are pruned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-logrot-'));
  try {
    const log = join(dir, '0.log');
    const reopened: string[] = [];
    const cri = { reopenContainerLog: async (id: string) => { reopened.push(id); writeFileSync(log, ''); } };
    for (const old of ['20260101-000000', '20260102-000000', '20260103-000000', '20260104-000000']) writeFileSync(`${log}.${old}`, 'x');
    writeFileSync(log, 'small');
    assert.equal(await rotateIfNeeded(cri, 'c1', log, 100, 3), false);
    writeFileSync(log, 'y'.repeat(200));
    assert.equal(await rotateIfNeeded(cri, 'c1', log, 100, 3), true);
    assert.deepEqual(reopened, ['c1']);
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 3, files.join(','));
    assert.ok(files.includes('0.log'));
    assert.ok(!existsSync(`${log}.20260101-000000`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when the runtime cannot reopen the log, the file is put back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-logrot-'));
  try {
    const log = join(dir, '0.log');
    writeFileSync(log, 'z'.repeat(200));
    const cri = { reopenContainerLog: async () => { throw new Error('container is not running'); } };
    await assert.rejects(rotateIfNeeded(cri, 'c1', log, 100, 3));
    assert.deepEqual(readdirSync(dir), ['0.log']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
