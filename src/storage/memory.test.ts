// Runs the shared conformance suite against the memory backend, plus its own options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBackendConformance } from './backend.case.js';
import { StorageError } from './backend.js';
import { createMemoryBackend } from './memory.js';

runBackendConformance('memory', async () => {
  const backend = createMemoryBackend({ compactIntervalMs: 0 });
  return { backend, cleanup: () => backend.close() };
});

test('memory: background compaction keeps only the newest revisions', async () => {
  const b = createMemoryBackend({ compactIntervalMs: 10, keepRevisions: 50 });
  try {
    let kv = await b.create('/lease', '0');
    for (let i = 1; i < 500; i++) kv = await b.update('/lease', String(i), kv.modRevision);
    const deadline = Date.now() + 5000;
    while ((await b.compactRevision()) < kv.modRevision - 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await b.compactRevision(), kv.modRevision - 50);
    assert.equal((await b.get('/lease')).kv?.value, '499');
    assert.equal((await b.get('/lease', kv.modRevision - 50)).kv?.value, String(499 - 50));
  } finally {
    await b.close();
  }
});

test('memory: aborting the signal closes the backend and ends watches', async () => {
  const ac = new AbortController();
  const b = createMemoryBackend({ signal: ac.signal });
  const watching = b.watch('/', 0, () => {}, new AbortController().signal);
  ac.abort();
  await watching;
  await assert.rejects(b.get('/a'), StorageError);
});
