import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readProjected, validatePayloadPath, writeAtomic, type Payload } from './atomic-writer.js';

const payload = (files: Record<string, string>, mode = 0o644): Payload => new Map(Object.entries(files).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));

test('files are reached through ..data links, removed names disappear, old versions are cleaned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-aw-'));
  try {
    assert.equal(await writeAtomic(dir, payload({ a: '1', 'sub/b': '2' })), true);
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
    assert.equal(readlinkSync(join(dir, 'sub')), '..data/sub');
    assert.equal(readFileSync(join(dir, 'sub/b'), 'utf8'), '2');
    const first = readlinkSync(join(dir, '..data'));
    assert.match(first, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.[0-9a-f]+$/);
    // Same content: nothing written.
    assert.equal(await writeAtomic(dir, payload({ a: '1', 'sub/b': '2' })), false);
    assert.equal(readlinkSync(join(dir, '..data')), first);
    // A mode change alone is a change.
    assert.equal(await writeAtomic(dir, payload({ a: '1', 'sub/b': '2' }, 0o400)), true);
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o400);
    assert.equal(await writeAtomic(dir, payload({ c: '3' })), true);
    assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')), ['c']);
    assert.deepEqual([...(await readProjected(dir))], [['c', '3']]);
    assert.equal(readdirSync(dir).filter((n) => /^\.\.\d/.test(n)).length, 1, 'one version left');
    // A foreign file in the way is not overwritten.
    writeFileSync(join(dir, 'mine'), 'x');
    await assert.rejects(writeAtomic(dir, payload({ mine: 'y' })), /non-link file is in the way/);
    assert.equal(readFileSync(join(dir, 'mine'), 'utf8'), 'x');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('payload paths are checked as upstream does', () => {
  assert.throws(() => validatePayloadPath('/etc/passwd'), /must be relative path/);
  assert.throws(() => validatePayloadPath('a/../../b'), /must not contain '\.\.'/);
  assert.throws(() => validatePayloadPath('..data'), /must not start with '\.\.'/);
  assert.doesNotThrow(() => validatePayloadPath('a/b.c'));
});

test('fsGroup: files get the group and group read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-aw-'));
  try {
    await writeAtomic(dir, payload({ k: 'v' }, 0o400), { fsGroup: 1234 });
    const st = statSync(join(dir, 'k'));
    assert.equal(st.mode & 0o777, 0o440);
    assert.equal(st.gid, 1234);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a concurrent reader never sees a torn or missing file, nor a mixed set', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-aw-'));
  const big = (v: number) => String(v % 10).repeat(200_000);
  await writeAtomic(dir, payload({ a: big(0), b: big(0) }));
  // The reader runs on its own thread, so it truly races the writer.
  const reader = new Worker(
    `const { readFileSync, readlinkSync } = require('node:fs');
     const { parentPort, workerData } = require('node:worker_threads');
     let stop = false, reads = 0, errors = [];
     parentPort.on('message', () => { stop = true; });
     const uniform = (s) => s.length === 200000 && s === s[0].repeat(200000);
     (function loop() {
       for (let i = 0; i < 50 && !stop; i++) {
         try {
           const a = readFileSync(workerData + '/a', 'utf8');
           if (!uniform(a)) errors.push('torn a');
           const ts = readlinkSync(workerData + '/..data');
           let pa, pb;
           try { pa = readFileSync(workerData + '/' + ts + '/a', 'utf8'); pb = readFileSync(workerData + '/' + ts + '/b', 'utf8'); }
           catch (e) { if (e.code !== 'ENOENT') throw e; continue; } // that version was just removed
           if (pa !== pb) errors.push('mixed set');
           reads++;
         } catch (e) { errors.push(String(e)); }
       }
       if (stop) parentPort.postMessage({ reads, errors: errors.slice(0, 5) }); else setImmediate(loop);
     })();`,
    { eval: true, workerData: dir },
  );
  try {
    for (let v = 1; v <= 40; v++) await writeAtomic(dir, payload({ a: big(v), b: big(v) }));
    const result = await new Promise<{ reads: number; errors: string[] }>((resolve) => {
      reader.once('message', resolve);
      reader.postMessage('stop');
    });
    assert.deepEqual(result.errors, []);
    assert.ok(result.reads > 0);
  } finally {
    await reader.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
});
