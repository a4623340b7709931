import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './workqueue.js';

test('a key is queued once and not handed out twice while in flight', async () => {
  const q = new WorkQueue();
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(q.length, 2);
  const k = await q.get();
  assert.equal(k, 'a');
  q.add('a'); // while processing: remembered, not queued
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'b');
  q.done('a');
  assert.equal(await q.get(), 'a');
  q.shutdown();
  assert.equal(await q.get(), undefined);
});

test('addAfter: the earliest pending delay wins', async () => {
  const q = new WorkQueue();
  // The queue's timers are unref'd (they must not keep a process alive); keep this test alive.
  const keepAlive = setTimeout(() => {}, 5000);
  q.addAfter('k', 10_000);
  q.addAfter('k', 20);
  const t = Date.now();
  assert.equal(await q.get(), 'k');
  assert.ok(Date.now() - t < 2000);
  clearTimeout(keepAlive);
  q.shutdown();
});

test('rate limiting backs off exponentially per key and forget resets it', () => {
  const q = new WorkQueue({ baseDelayMs: 5 });
  q.addRateLimited('x');
  q.addRateLimited('x');
  assert.equal(q.numRequeues('x'), 2);
  q.forget('x');
  assert.equal(q.numRequeues('x'), 0);
  q.shutdown();
});
