import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBackend } from '../storage/memory.js';
import { WatchCache } from './watch-cache.js';

test('the ring is bounded by events and by stored text; older starts are refused (the caller answers 410)', async () => {
  const backend = createMemoryBackend();
  const ac = new AbortController();
  // At most 100 events and 10,000 characters of text.
  const cache = new WatchCache(backend, 100, 10_000);
  await cache.start(ac.signal);
  const big = JSON.stringify({ metadata: { name: 'x' }, data: 'y'.repeat(1000) });
  const revs: number[] = [];
  for (let i = 0; i < 30; i++) revs.push((await backend.create(`/registry/configmaps/default/c${i}`, big)).modRevision);
  await cache.waitFor(revs.at(-1)!);
  // ~1,030 characters an event: only the newest 9 fit in 10,000.
  assert.equal(cache.subscribe('/registry/', revs[10]!, () => {}), undefined);
  const recent = cache.subscribe('/registry/', revs[25]!, () => {});
  assert.deepEqual(recent?.replay.map((e) => e.revision), revs.slice(26));
  recent?.cancel();
  assert.ok(cache.oldestRevision >= revs[20]! && cache.oldestRevision < revs[25]!, `oldest ${cache.oldestRevision}`);
  // Small events: the count bound.
  for (let i = 0; i < 150; i++) await backend.create(`/registry/configmaps/default/s${i}`, '{}');
  await cache.waitFor(await backend.currentRevision());
  const rev = await backend.currentRevision();
  assert.ok(cache.subscribe('/registry/', rev - 100, () => {}));
  assert.equal(cache.subscribe('/registry/', rev - 102, () => {}), undefined);
  ac.abort();
  await backend.close();
});

test("an update's previous value shares the text of the key's last event: the ring holds twice the updates, and the events decode the same", async () => {
  const backend = createMemoryBackend();
  const ac = new AbortController();
  const cache = new WatchCache(backend, 1000, 10_000);
  await cache.start(ac.signal);
  const text = (i: number) => JSON.stringify({ metadata: { name: 'u' }, data: String(i).padStart(1000, 'y') });
  let kv = await backend.create('/registry/configmaps/default/u', text(0));
  const revs = [kv.modRevision];
  for (let i = 1; i < 30; i++) {
    kv = await backend.update('/registry/configmaps/default/u', text(i), kv.modRevision);
    revs.push(kv.modRevision);
  }
  await cache.waitFor(revs.at(-1)!);
  // ~1,030 characters an update, counted once although each is also the next one's previous value.
  const sub = cache.subscribe('/registry/', revs[21]!, () => {});
  assert.ok(sub, 'the newest 9 updates are in the ring');
  assert.equal(cache.subscribe('/registry/', revs[15]!, () => {}), undefined);
  for (const [i, e] of sub.replay.entries()) {
    assert.equal((e.object().data as string).slice(-2), String(22 + i));
    assert.equal((e.prevObject()!.data as string).slice(-2), String(21 + i));
    assert.equal(e.prevObject()!.metadata.resourceVersion, String(revs[21 + i]));
  }
  sub.cancel();
  ac.abort();
  await backend.close();
});
