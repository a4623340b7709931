import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBackend } from '../storage/memory.js';
import { WatchCache } from './watch-cache.js';
import { CompactedError } from '../storage/backend.js';
import type { KObject } from '../api/types.js';

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

/** A backend whose first storage watch fails with `failure` when `fail()` is called; later watches are the real ones. */
function failingOnce(failure: Error) {
  const real = createMemoryBackend();
  let fail!: () => void;
  const failed = new Promise<void>((r) => (fail = r));
  let calls = 0;
  const watch: typeof real.watch = (prefix, after, onEvents, signal) => {
    if (calls++ > 0) return real.watch(prefix, after, onEvents, signal);
    return failed.then(() => Promise.reject(failure));
  };
  const backend = new Proxy(real, {
    get: (target, prop) => {
      if (prop === 'watch') return watch;
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { real, backend, fail, calls: () => calls };
}

test('a storage watch that ends is resumed from the last revision seen: nothing written meanwhile is lost', async () => {
  const { real, backend, fail, calls } = failingOnce(new Error('stream reset'));
  const ac = new AbortController();
  const errors: string[] = [];
  const cache = new WatchCache(backend, 100, 10_000, (m) => errors.push(m));
  await cache.start(ac.signal);
  const seen: number[] = [];
  let resets = 0;
  const sub = cache.subscribe('/registry/', cache.revision, (evs) => seen.push(...evs.map((e) => e.revision)), () => resets++);
  const a = await real.create('/registry/configmaps/default/a', '{}');
  fail();
  const b = await real.create('/registry/configmaps/default/b', '{}');
  await cache.waitFor(b.modRevision);
  assert.deepEqual(seen, [a.modRevision, b.modRevision]);
  assert.equal(resets, 0);
  assert.equal(calls(), 2);
  assert.match(errors[0] ?? '', /storage watch ended: stream reset; resuming from revision/);
  sub?.cancel();
  ac.abort();
  await real.close();
});

test('when storage no longer has the history after the cache, it starts over and every subscriber hears of it', async () => {
  const { real, backend, fail } = failingOnce(new CompactedError(5, 9));
  const ac = new AbortController();
  const errors: string[] = [];
  const cache = new WatchCache(backend, 100, 10_000, (m) => errors.push(m));
  await cache.start(ac.signal);
  const old = cache.revision;
  let resets = 0;
  const sub = cache.subscribe('/registry/', old, () => {}, () => resets++);
  const written = await real.create('/registry/configmaps/default/lost', '{}');
  fail();
  for (let i = 0; i < 100 && resets === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(resets, 1);
  assert.match(errors.join('\n'), /starts over at revision/);
  // Watchers from before cannot resume (410: they relist); new ones follow the new history.
  assert.equal(cache.subscribe('/registry/', old, () => {}), undefined);
  assert.ok(cache.revision >= written.modRevision);
  const after: string[] = [];
  const fresh = cache.subscribe('/registry/', cache.revision, (evs) => after.push(...evs.map((e) => e.key)));
  const next = await real.create('/registry/configmaps/default/next', '{}');
  await cache.waitFor(next.modRevision);
  assert.deepEqual(after, ['/registry/configmaps/default/next']);
  sub?.cancel();
  fresh?.cancel();
  ac.abort();
  await real.close();
});

test('a storage watch from an old revision that fails after a round trip (etcd) is reported late, not lost', async () => {
  const real = createMemoryBackend();
  const backend = new Proxy(real, {
    get: (target, prop) => {
      if (prop === 'watch') return () => new Promise((_, reject) => setTimeout(() => reject(new CompactedError(3, 7)), 150));
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const cache = new WatchCache(backend);
  const late: unknown[] = [];
  // No answer within 50 ms: taken as started; then the failure arrives and is reported.
  await cache.subscribeFromStorage('/registry/', 3, () => {}, new AbortController().signal, (e) => late.push(e));
  assert.equal(late.length, 0);
  for (let i = 0; i < 50 && !late.length; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(late[0] instanceof CompactedError);
  await real.close();
});

test('latest: a key\'s current value once the cache has seen every published write; unknown otherwise', async () => {
  const backend = createMemoryBackend();
  const ac = new AbortController();
  const cache = new WatchCache(backend);
  await cache.start(ac.signal);
  const key = '/registry/configmaps/default/cur';
  const kv = await backend.create(key, '{"v":1}');
  await cache.waitFor(kv.modRevision);
  assert.deepEqual(cache.latest(key, backend.publishedRevision!()), { value: '{"v":1}', modRevision: kv.modRevision });
  // A revision the cache has not seen (another writer's): unknown.
  assert.equal(cache.latest(key, kv.modRevision + 1), undefined);
  // A key without an event in the ring: unknown (its value may predate the cache).
  assert.equal(cache.latest('/registry/configmaps/default/other', backend.publishedRevision!()), undefined);
  const up = await backend.update(key, '{"v":2}', kv.modRevision);
  await cache.waitFor(up.modRevision);
  assert.deepEqual(cache.latest(key, backend.publishedRevision!()), { value: '{"v":2}', modRevision: up.modRevision });
  const del = await backend.delete(key);
  await cache.waitFor(del.modRevision);
  assert.equal(cache.latest(key, backend.publishedRevision!()), null);
  ac.abort();
  await backend.close();
});

test('offer: the event of a write takes the object the writer stored (resourceVersion stamped) instead of parsing its text; another value or a withdrawn offer is parsed', async () => {
  const backend = createMemoryBackend();
  const ac = new AbortController();
  const cache = new WatchCache(backend);
  await cache.start(ac.signal);
  const seen: { key: string; obj: unknown; text: string }[] = [];
  const sub = cache.subscribe('/registry/', cache.revision, (evs) => {
    for (const e of evs) seen.push({ key: e.key, obj: e.object(), text: e.text });
  })!;
  const key = '/registry/configmaps/default/o';
  const obj: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' }, data: { a: '1' } };
  const value = JSON.stringify(obj);
  cache.offer(key, value, obj);
  const kv = await backend.create(key, value);
  await cache.waitFor(kv.modRevision);
  assert.equal(seen[0]!.obj, obj, 'the offered object itself');
  assert.equal(obj.metadata.resourceVersion, String(kv.modRevision));
  // Offered one value, another was stored (a concurrent write): parsed from the stored text.
  const other = { ...obj, metadata: { name: 'o' }, data: { a: '2' } };
  cache.offer(key, JSON.stringify({ ...obj, data: { a: 'never stored' } }), obj);
  const kv2 = await backend.update(key, JSON.stringify(other), kv.modRevision);
  await cache.waitFor(kv2.modRevision);
  assert.notEqual(seen[1]!.obj, obj);
  assert.deepEqual(seen[1]!.obj, { ...other, metadata: { name: 'o', resourceVersion: String(kv2.modRevision) } });
  // Withdrawn (the write failed): a later write of the same text is parsed.
  const third = { ...other, data: { a: '3' } };
  cache.offer(key, JSON.stringify(third), third);
  cache.withdraw(key, JSON.stringify(third));
  const kv3 = await backend.update(key, JSON.stringify(third), kv2.modRevision);
  await cache.waitFor(kv3.modRevision);
  assert.notEqual(seen[2]!.obj, third);
  assert.deepEqual((seen[2]!.obj as { data: unknown }).data, { a: '3' });
  sub.cancel();
  ac.abort();
  await backend.close();
});

test('the ring stays exact after thousands of events have left it; each subscription hears only the keys under its prefix, in order', async () => {
  const backend = createMemoryBackend();
  const ac = new AbortController();
  const cache = new WatchCache(backend, 50);
  await cache.start(ac.signal);
  const heard = new Map<string, string[]>();
  const listen = (prefix: string) => {
    heard.set(prefix, []);
    return cache.subscribe(prefix, cache.revision, (evs) => heard.get(prefix)!.push(...evs.map((e) => e.key)))!;
  };
  const subs = ['/registry/', '/registry/configmaps/', '/registry/configmaps/a/', '/registry/configmaps/b/', '/registry/configmaps/a/c1', '/registry/secrets/'].map(listen);
  const keys: string[] = [];
  const revOf = new Map<string, number>();
  // 10,000 events through a ring of 50: the oldest leave on every batch, the array is cut now and then.
  for (let i = 0; i < 10_000; i++) {
    const key = `/registry/configmaps/${'ab'[i % 2]}/c${i % 7}`;
    keys.push(key);
    const kv = i < 7 * 2 ? await backend.create(key, '{}') : await backend.update(key, `{"n":${i}}`, revOf.get(key)!);
    revOf.set(key, kv.modRevision);
  }
  const rev = await backend.currentRevision();
  await cache.waitFor(rev);
  assert.deepEqual(heard.get('/registry/'), keys);
  assert.deepEqual(heard.get('/registry/configmaps/'), keys);
  assert.deepEqual(heard.get('/registry/configmaps/a/'), keys.filter((k) => k.startsWith('/registry/configmaps/a/')));
  assert.deepEqual(heard.get('/registry/configmaps/b/'), keys.filter((k) => k.startsWith('/registry/configmaps/b/')));
  // A prefix that does not end in '/' matches as a plain prefix: c1 and every c1x key (none here).
  assert.deepEqual(heard.get('/registry/configmaps/a/c1'), keys.filter((k) => k === '/registry/configmaps/a/c1'));
  assert.deepEqual(heard.get('/registry/secrets/'), []);
  // Resuming inside the ring replays exactly the events after the revision; before it, 410.
  const resumed = cache.subscribe('/registry/configmaps/b/', rev - 10, () => {})!;
  const after = Array.from({ length: 10 }, (_, i) => rev - 9 + i);
  assert.deepEqual(resumed.replay.map((e) => e.revision), after.filter((r) => keysAt(r).startsWith('/registry/configmaps/b/')));
  assert.equal(resumed.replay.length, 5);
  assert.deepEqual(resumed.replay.map((e) => e.key), resumed.replay.map((e) => keysAt(e.revision)));
  assert.equal(cache.subscribe('/registry/', rev - 51, () => {}), undefined);
  const all = cache.subscribe('/registry/', rev - 50, () => {})!;
  assert.deepEqual(all.replay.map((e) => e.revision), Array.from({ length: 50 }, (_, i) => rev - 49 + i));
  all.cancel();
  // A cancelled subscription hears nothing more.
  for (const s of subs) s.cancel();
  resumed.cancel();
  await backend.update('/registry/configmaps/a/c0', '{}', revOf.get('/registry/configmaps/a/c0')!);
  await cache.waitFor(rev + 1);
  assert.equal(heard.get('/registry/')!.length, 10_000);
  ac.abort();
  await backend.close();

  function keysAt(revision: number): string {
    return keys[keys.length - 1 - (rev - revision)]!;
  }
});
