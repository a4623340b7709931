import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FairQueue } from './flow-control.js';

test('at most `limit` run at once; waiting flows are served round robin, not first come first served', async () => {
  const q = new FairQueue(2);
  const order: string[] = [];
  const held = [await q.acquire('busy'), await q.acquire('busy')];
  // 'busy' queues five more, then 'quiet' one: quiet must not wait for all of busy's.
  const waits = [1, 2, 3, 4, 5].map((i) => q.acquire('busy').then((release) => (order.push(`busy${i}`), release)));
  const quiet = q.acquire('quiet').then((release) => (order.push('quiet'), release));
  assert.equal(q.waiting, 6);
  held[0]!();
  await new Promise((r) => setImmediate(r));
  held[1]!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['busy1', 'quiet']);
  for (const r of [await waits[0]!, await quiet]) r();
  for (const w of waits.slice(1)) {
    const r = await w;
    r();
    r(); // a second release is ignored
  }
  assert.deepEqual(order, ['busy1', 'quiet', 'busy2', 'busy3', 'busy4', 'busy5']);
  assert.equal(q.waiting, 0);
  // Free seats again: acquire is immediate.
  const a = await q.acquire('x');
  const b = await q.acquire('y');
  a();
  b();
});
