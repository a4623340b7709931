// The storage conformance suite: every Backend implementation (memory, SQLite, ...) runs these same
// tests, so the apiserver can rely on one set of etcd semantics whatever stores its data.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, KeyValue, WatchEvent } from './backend.js';
import { CompactedError, ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError, StorageError } from './backend.js';

export type MakeBackend = () => Promise<{ backend: Backend; cleanup: () => Promise<void> }>;

/** Collects a watch's events; `until(n)` waits for n events (failing after a timeout, never hanging). */
export interface WatchRecorder {
  events: WatchEvent[];
  batches: number;
  done: Promise<void>;
  until(count: number, timeoutMs?: number): Promise<WatchEvent[]>;
  stop(): Promise<void>;
}

export function recordWatch(backend: Backend, prefix: string, afterRevision: number): WatchRecorder {
  const ac = new AbortController();
  const events: WatchEvent[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const rec: WatchRecorder = {
    events,
    batches: 0,
    done: backend.watch(
      prefix,
      afterRevision,
      (batch) => {
        rec.batches++;
        events.push(...batch);
        for (const w of waiters.filter((w) => events.length >= w.count)) w.resolve();
      },
      ac.signal,
    ),
    async until(count, timeoutMs = 5000) {
      if (events.length < count) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => waiters.push({ count, resolve })),
          new Promise<void>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`watch got ${events.length} events, wanted ${count}`)), timeoutMs);
          }),
        ]).finally(() => clearTimeout(timer));
      }
      return events.slice(0, count);
    },
    async stop() {
      ac.abort();
      await rec.done;
    },
  };
  return rec;
}

/** A short pause that lets any stray (wrong) events arrive before asserting there were none. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** The keys and values of a list, for compact assertions. */
const pairs = (kvs: KeyValue[]): [string, string][] => kvs.map((kv) => [kv.key, kv.value]);

export function runBackendConformance(name: string, make: MakeBackend): void {
  describe(`${name} backend conformance`, () => {
    /** Runs `body` against a fresh backend and always cleans up. */
    const withBackend = (title: string, body: (b: Backend) => Promise<void>): void => {
      test(title, async () => {
        const { backend, cleanup } = await make();
        try {
          await body(backend);
        } finally {
          await cleanup();
        }
      });
    };

    withBackend('a fresh store is at revision 1 with nothing compacted', async (b) => {
      assert.equal(await b.currentRevision(), 1);
      assert.equal(await b.compactRevision(), 0);
      assert.deepEqual(await b.get('/a'), { revision: 1 });
      assert.deepEqual(await b.list('/'), { kvs: [], revision: 1, more: false });
      assert.deepEqual(await b.count('/'), { count: 0, revision: 1 });
    });

    withBackend('create assigns the next revision and refuses an existing key', async (b) => {
      const a = await b.create('/a', 'one');
      assert.deepEqual({ ...a }, { key: '/a', value: 'one', createRevision: 2, modRevision: 2 });
      const c = await b.create('/c', 'two');
      assert.equal(c.modRevision, 3);
      assert.equal(await b.currentRevision(), 3);
      await assert.rejects(b.create('/a', 'again'), (err: unknown) => err instanceof KeyExistsError && err.key === '/a');
      assert.equal(await b.currentRevision(), 3, 'a refused write does not use a revision');
      assert.deepEqual({ ...(await b.get('/a')).kv }, { ...a });
    });

    withBackend('update is guarded by the expected mod revision', async (b) => {
      const a = await b.create('/a', 'one');
      const a2 = await b.update('/a', 'two', a.modRevision);
      assert.deepEqual({ ...a2 }, { key: '/a', value: 'two', createRevision: a.createRevision, modRevision: a.modRevision + 1 });
      await assert.rejects(b.update('/a', 'stale', a.modRevision), (err: unknown) => {
        assert.ok(err instanceof ConflictError);
        assert.equal(err.key, '/a');
        assert.deepEqual({ ...err.current }, { ...a2 }, 'the conflict carries the current value');
        return true;
      });
      await assert.rejects(b.update('/missing', 'x', 1), (err: unknown) => err instanceof KeyNotFoundError && err.key === '/missing');
      assert.equal((await b.get('/a')).kv?.value, 'two');
    });

    withBackend('delete returns the last value at the delete revision; guarded and unguarded', async (b) => {
      const a = await b.create('/a', 'one');
      await b.create('/b', 'bee');
      await assert.rejects(b.delete('/a', a.modRevision + 100), ConflictError);
      assert.ok((await b.get('/a')).kv, 'a refused delete keeps the key');
      const gone = await b.delete('/a', a.modRevision);
      assert.deepEqual({ ...gone }, { key: '/a', value: 'one', createRevision: a.createRevision, modRevision: 4 });
      assert.equal((await b.get('/a')).kv, undefined);
      const bee = await b.delete('/b');
      assert.equal(bee.modRevision, 5);
      await assert.rejects(b.delete('/a'), KeyNotFoundError);
      await assert.rejects(b.update('/a', 'x', gone.modRevision), KeyNotFoundError, 'an update of a deleted key is not found');
    });

    withBackend('a deleted key can be created again with a new create revision', async (b) => {
      const first = await b.create('/a', 'one');
      await b.delete('/a');
      const again = await b.create('/a', 'two');
      assert.equal(again.createRevision, again.modRevision);
      assert.ok(again.createRevision > first.createRevision);
      const updated = await b.update('/a', 'three', again.modRevision);
      assert.equal(updated.createRevision, again.createRevision);
    });

    withBackend('get reads a key as it was at a past revision and refuses future ones', async (b) => {
      const v1 = await b.create('/a', 'one');
      const v2 = await b.update('/a', 'two', v1.modRevision);
      const del = await b.delete('/a');
      assert.equal((await b.get('/a', v1.modRevision)).kv?.value, 'one');
      assert.deepEqual({ ...(await b.get('/a', v2.modRevision)).kv }, { ...v2 });
      assert.equal((await b.get('/a', v2.modRevision)).revision, v2.modRevision);
      assert.equal((await b.get('/a', del.modRevision)).kv, undefined);
      assert.equal((await b.get('/a', 1)).kv, undefined, 'before the create');
      await assert.rejects(b.get('/a', del.modRevision + 1), (err: unknown) => err instanceof FutureRevisionError && err.requested === del.modRevision + 1 && err.current === del.modRevision);
    });

    withBackend('list returns the keys under a prefix in key order', async (b) => {
      for (const key of ['/r/pods/b', '/r/pods/a', '/r/pods0', '/r/podsx/a', '/r/pods/a/sub', '/r/pod', '/s/pods/a']) await b.create(key, `v${key}`);
      const rev = await b.currentRevision();
      const res = await b.list('/r/pods/');
      assert.deepEqual(
        res.kvs.map((kv) => kv.key),
        ['/r/pods/a', '/r/pods/a/sub', '/r/pods/b'],
      );
      assert.equal(res.revision, rev);
      assert.equal(res.more, false);
      assert.deepEqual(
        (await b.list('')).kvs.map((kv) => kv.key),
        ['/r/pod', '/r/pods/a', '/r/pods/a/sub', '/r/pods/b', '/r/pods0', '/r/podsx/a', '/s/pods/a'],
        'the empty prefix lists everything',
      );
      const one = (await b.list('/r/pods/a')).kvs[0]!;
      assert.deepEqual({ ...one }, { ...(await b.get('/r/pods/a')).kv });
      await b.delete('/r/pods/a');
      assert.deepEqual(
        (await b.list('/r/pods/')).kvs.map((kv) => kv.key),
        ['/r/pods/a/sub', '/r/pods/b'],
      );
    });

    withBackend('list paginates with limit and startKey, reporting more and remaining', async (b) => {
      for (let i = 0; i < 10; i++) await b.create(`/p/k${i}`, String(i));
      await b.create('/q/other', 'x');
      const first = await b.list('/p/', { limit: 4 });
      assert.deepEqual(pairs(first.kvs), [['/p/k0', '0'], ['/p/k1', '1'], ['/p/k2', '2'], ['/p/k3', '3']]);
      assert.equal(first.more, true);
      assert.equal(first.remaining, 6);
      const second = await b.list('/p/', { limit: 4, startKey: '/p/k3\0', revision: first.revision });
      assert.deepEqual(second.kvs.map((kv) => kv.key), ['/p/k4', '/p/k5', '/p/k6', '/p/k7']);
      assert.equal(second.remaining, 2);
      const last = await b.list('/p/', { limit: 4, startKey: '/p/k7\0', revision: first.revision });
      assert.deepEqual(last.kvs.map((kv) => kv.key), ['/p/k8', '/p/k9']);
      assert.equal(last.more, false);
      assert.equal(last.remaining, undefined);
      const exact = await b.list('/p/', { limit: 10 });
      assert.equal(exact.kvs.length, 10);
      assert.equal(exact.more, false, 'a limit equal to the count leaves nothing more');
      assert.deepEqual((await b.list('/p/', { startKey: '/p/k5' })).kvs.map((kv) => kv.key), ['/p/k5', '/p/k6', '/p/k7', '/p/k8', '/p/k9']);
      assert.deepEqual((await b.list('/p/', { startKey: '/a' })).kvs.length, 10, 'a start key before the prefix starts at the prefix');
      assert.deepEqual((await b.list('/p/', { startKey: '/q/' })).kvs, [], 'a start key past the prefix finds nothing');
    });

    withBackend('list pages stay consistent at one revision while writes happen in between', async (b) => {
      for (let i = 0; i < 20; i++) await b.create(`/c/k${String(i).padStart(2, '0')}`, `v${i}`);
      const snapshot = pairs((await b.list('/c/')).kvs);
      const page1 = await b.list('/c/', { limit: 7 });
      // Between pages: delete some keys on later pages, update others, add new ones.
      await b.delete('/c/k10');
      const k12 = (await b.get('/c/k12')).kv!;
      await b.update('/c/k12', 'changed', k12.modRevision);
      await b.create('/c/k10a', 'new');
      await b.create('/c/k99', 'new');
      await b.delete('/c/k00');
      const collected = pairs(page1.kvs);
      let page = page1;
      while (page.more) {
        const lastKey = page.kvs[page.kvs.length - 1]!.key;
        page = await b.list('/c/', { limit: 7, startKey: `${lastKey}\0`, revision: page1.revision });
        assert.equal(page.revision, page1.revision);
        collected.push(...pairs(page.kvs));
      }
      assert.deepEqual(collected, snapshot);
      const now = pairs((await b.list('/c/')).kvs);
      assert.equal(now.length, 20);
      assert.deepEqual(now.find(([k]) => k === '/c/k12'), ['/c/k12', 'changed']);
    });

    withBackend('list at a past revision returns what existed then', async (b) => {
      await b.create('/h/a', 'a1');
      const a2 = await b.update('/h/a', 'a2', (await b.get('/h/a')).kv!.modRevision);
      const before = await b.currentRevision();
      await b.create('/h/b', 'b1');
      await b.delete('/h/a');
      await b.create('/h/c', 'c1');
      assert.deepEqual(pairs((await b.list('/h/', { revision: before })).kvs), [['/h/a', 'a2']]);
      assert.equal((await b.list('/h/', { revision: before })).kvs[0]!.modRevision, a2.modRevision);
      assert.deepEqual(pairs((await b.list('/h/', { revision: before + 1 })).kvs), [['/h/a', 'a2'], ['/h/b', 'b1']]);
      assert.deepEqual(pairs((await b.list('/h/')).kvs), [['/h/b', 'b1'], ['/h/c', 'c1']]);
      const paged = await b.list('/h/', { revision: before + 1, limit: 1 });
      assert.deepEqual([paged.more, paged.remaining], [true, 1]);
      await assert.rejects(b.list('/h/', { revision: (await b.currentRevision()) + 5 }), FutureRevisionError);
    });

    withBackend('count counts live keys under a prefix', async (b) => {
      await b.create('/n/a', '1');
      await b.create('/n/b', '2');
      await b.create('/n/c', '3');
      await b.create('/m/a', '4');
      await b.delete('/n/b');
      const b2 = await b.update('/n/a', '11', (await b.get('/n/a')).kv!.modRevision);
      assert.deepEqual(await b.count('/n/'), { count: 2, revision: b2.modRevision });
      assert.equal((await b.count('')).count, 3);
      assert.equal((await b.count('/x/')).count, 0);
    });

    withBackend('concurrent writes get distinct consecutive revisions; one guarded update wins', async (b) => {
      const start = await b.currentRevision();
      const created = await Promise.all(Array.from({ length: 200 }, (_, i) => b.create(`/w/${i}`, String(i))));
      const revs = created.map((kv) => kv.modRevision).sort((x, y) => x - y);
      assert.deepEqual(revs, Array.from({ length: 200 }, (_, i) => start + 1 + i));
      const same = await Promise.allSettled(Array.from({ length: 10 }, () => b.create('/w/same', 'x')));
      assert.equal(same.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(same.every((r) => r.status === 'fulfilled' || r.reason instanceof KeyExistsError));
      const base = (await b.get('/w/same')).kv!;
      const updates = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => b.update('/w/same', `u${i}`, base.modRevision)));
      const won = updates.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1, 'exactly one update based on the same revision commits');
      assert.ok(updates.every((r) => r.status === 'fulfilled' || r.reason instanceof ConflictError));
      assert.equal((await b.get('/w/same')).kv!.value, (won[0] as PromiseFulfilledResult<KeyValue>).value.value);
    });

    withBackend('watch replays history after a revision, then streams live events in revision order', async (b) => {
      const a = await b.create('/r/a', '1');
      await b.update('/r/a', '2', a.modRevision);
      const mid = await b.currentRevision();
      await b.create('/r/b', '3');
      await b.delete('/r/a');
      const fromStart = recordWatch(b, '/r/', 0);
      const fromMid = recordWatch(b, '/r/', mid);
      assert.deepEqual(
        (await fromStart.until(4)).map((e) => [e.type, e.kv.key, e.kv.value, e.kv.modRevision]),
        [
          ['put', '/r/a', '1', a.modRevision],
          ['put', '/r/a', '2', a.modRevision + 1],
          ['put', '/r/b', '3', a.modRevision + 2],
          ['delete', '/r/a', '2', a.modRevision + 3],
        ],
      );
      assert.deepEqual((await fromMid.until(2)).map((e) => e.kv.modRevision), [mid + 1, mid + 2]);
      const live = await Promise.all([b.create('/r/c', '4'), b.create('/r/d', '5'), b.create('/r/e', '6')]);
      await b.update('/r/c', '7', live[0].modRevision);
      await fromStart.until(8);
      await fromMid.until(6);
      await settle();
      assert.equal(fromStart.events.length, 8, 'no duplicates');
      for (const rec of [fromStart, fromMid]) {
        const revs = rec.events.map((e) => e.kv.modRevision);
        assert.deepEqual(revs, [...revs].sort((x, y) => x - y));
        assert.equal(new Set(revs).size, revs.length);
      }
      // Concurrent writes commit in some order (etcd applies them as they come); events follow it.
      const byRevision = [...live].sort((x, y) => x.modRevision - y.modRevision).map((kv) => kv.value);
      assert.deepEqual(fromMid.events.slice(2).map((e) => e.kv.value), [...byRevision, '7']);
      const future = recordWatch(b, '/r/', (await b.currentRevision()) + 1);
      await b.create('/r/f', 'skipped');
      await b.create('/r/g', 'seen');
      assert.deepEqual((await future.until(1)).map((e) => e.kv.value), ['seen'], 'a watch from a future revision starts after it');
      await Promise.all([fromStart.stop(), fromMid.stop(), future.stop()]);
    });

    withBackend('watch events carry created, prevKv and the deleted value', async (b) => {
      const rec = recordWatch(b, '/e/', await b.currentRevision());
      const created = await b.create('/e/a', 'one');
      const updated = await b.update('/e/a', 'two', created.modRevision);
      const deleted = await b.delete('/e/a');
      const recreated = await b.create('/e/a', 'three');
      const live = await rec.until(4);
      const replay = recordWatch(b, '/e/', created.modRevision - 1);
      const replayed = await replay.until(4);
      for (const events of [live, replayed]) {
        const [c, u, d, r] = events.map((e) => JSON.parse(JSON.stringify(e)) as WatchEvent);
        assert.deepEqual(c, { type: 'put', kv: { ...created }, created: true });
        assert.deepEqual(u, { type: 'put', kv: { ...updated }, prevKv: { ...created } });
        assert.deepEqual(d, { type: 'delete', kv: { ...deleted }, prevKv: { ...updated } });
        assert.equal(d!.kv.value, 'two');
        assert.deepEqual(r, { type: 'put', kv: { ...recreated }, created: true });
      }
      await Promise.all([rec.stop(), replay.stop()]);
    });

    withBackend('watch delivers only keys under its prefix, in batches', async (b) => {
      const rec = recordWatch(b, '/only/', 0);
      const written = await Promise.all([b.create('/only/a', '1'), b.create('/other/a', '2'), b.create('/only0', '3'), b.create('/only/b', '4')]);
      await rec.until(2);
      await settle();
      const mine = [written[0], written[3]].sort((x, y) => x.modRevision - y.modRevision).map((kv) => kv.key);
      assert.deepEqual(rec.events.map((e) => e.kv.key), mine, 'in revision order');
      assert.ok(rec.batches >= 1 && rec.batches <= 2, `writes of one tick arrive batched (got ${rec.batches} calls)`);
      await rec.stop();
    });

    withBackend('watch stops on abort; close ends the remaining watches', async (b) => {
      const stopped = recordWatch(b, '/s/', 0);
      const open = recordWatch(b, '/s/', 0);
      await b.create('/s/a', '1');
      await stopped.until(1);
      await stopped.stop(); // resolves: the promise settles once the watch has stopped
      await b.create('/s/b', '2');
      await open.until(2);
      await settle();
      assert.equal(stopped.events.length, 1, 'no events after abort');
      const ac = new AbortController();
      ac.abort();
      await b.watch('/s/', 0, () => assert.fail('an already aborted watch gets nothing'), ac.signal);
      await b.close();
      await open.done;
    });

    withBackend('a watch whose onEvents throws ends alone, with that error', async (b) => {
      const ac = new AbortController();
      const failing = b.watch('/t/', 0, () => {
        throw new Error('consumer broke');
      }, ac.signal);
      const healthy = recordWatch(b, '/t/', 0);
      await b.create('/t/a', '1');
      await assert.rejects(failing, /consumer broke/);
      await b.create('/t/b', '2');
      await healthy.until(2);
      await healthy.stop();
    });

    withBackend('compaction drops superseded history but keeps current values', async (b) => {
      const a = await b.create('/k/a', 'a1');
      const a2 = await b.update('/k/a', 'a2', a.modRevision);
      await b.create('/k/gone', 'x');
      await b.delete('/k/gone');
      const b1 = await b.create('/k/b', 'b1');
      const compactAt = await b.currentRevision();
      await b.update('/k/b', 'b2', b1.modRevision);
      await b.compact(compactAt);
      assert.equal(await b.compactRevision(), compactAt);
      assert.deepEqual(pairs((await b.list('/k/')).kvs), [['/k/a', 'a2'], ['/k/b', 'b2']]);
      assert.deepEqual(pairs((await b.list('/k/', { revision: compactAt })).kvs), [['/k/a', 'a2'], ['/k/b', 'b1']], 'the compacted revision itself stays readable');
      assert.deepEqual({ ...(await b.get('/k/a', compactAt)).kv }, { ...a2 });
      await assert.rejects(b.get('/k/a', compactAt - 1), (err: unknown) => err instanceof CompactedError && err.requested === compactAt - 1 && err.compacted === compactAt);
      await assert.rejects(b.list('/k/', { revision: a.modRevision }), CompactedError);
      assert.equal((await b.count('/k/')).count, 2);
      // A deleted key's history is gone entirely; it can be created afresh.
      const again = await b.create('/k/gone', 'y');
      assert.equal(again.createRevision, again.modRevision);
      await b.compact(compactAt - 1); // compacting below the floor again is a no-op
      assert.equal(await b.compactRevision(), compactAt);
      await assert.rejects(b.compact((await b.currentRevision()) + 1), FutureRevisionError);
      const rev = await b.currentRevision();
      await b.compact(rev);
      assert.equal(await b.compactRevision(), rev);
      assert.deepEqual(pairs((await b.list('/k/')).kvs), [['/k/a', 'a2'], ['/k/b', 'b2'], ['/k/gone', 'y']]);
      const next = await b.update('/k/a', 'a3', a2.modRevision);
      assert.equal(next.modRevision, rev + 1, 'revisions continue after compaction');
    });

    withBackend('watch from a compacted revision is refused; later starts keep prevKv', async (b) => {
      const a = await b.create('/x/a', '1');
      const a2 = await b.update('/x/a', '2', a.modRevision);
      await b.create('/x/b', '3');
      const compactAt = await b.currentRevision();
      await b.compact(compactAt);
      const ac = new AbortController();
      await assert.rejects(b.watch('/x/', compactAt - 1, () => {}, ac.signal), (err: unknown) => err instanceof CompactedError && err.compacted === compactAt);
      await assert.rejects(b.watch('/x/', 0, () => {}, ac.signal), CompactedError);
      const a3 = await b.update('/x/a', '3', a2.modRevision);
      await b.delete('/x/b');
      const rec = recordWatch(b, '/x/', compactAt);
      const [u, d] = await rec.until(2);
      assert.deepEqual({ ...u!.prevKv }, { ...a2 }, 'the previous value survives compaction as the newest at the floor');
      assert.deepEqual({ ...u!.kv }, { ...a3 });
      assert.equal(d!.type, 'delete');
      assert.equal(d!.prevKv?.value, '3');
      await rec.stop();
    });

    withBackend('a long history replays in full and in order', async (b) => {
      const start = await b.currentRevision();
      let kv = await b.create('/l/hot', '0');
      const n = 5000;
      const writes: Promise<KeyValue>[] = [];
      for (let i = 0; i < n / 2; i++) writes.push(b.create(`/l/cold/${i}`, String(i)));
      await Promise.all(writes);
      for (let i = 1; i < n / 2; i++) kv = await b.update('/l/hot', String(i), kv.modRevision);
      const rec = recordWatch(b, '/l/', start);
      const events = await rec.until(n);
      assert.deepEqual(events.map((e) => e.kv.modRevision), Array.from({ length: n }, (_, i) => start + 1 + i));
      const hot = events.filter((e) => e.kv.key === '/l/hot');
      assert.equal(hot.length, n / 2);
      for (let i = 1; i < hot.length; i++) assert.equal(hot[i]!.prevKv?.value, String(i - 1));
      await rec.stop();
    });

    withBackend('operations after close are refused', async (b) => {
      await b.create('/z', '1');
      await b.close();
      await b.close(); // idempotent
      await assert.rejects(b.get('/z'), StorageError);
      await assert.rejects(b.create('/y', '1'), StorageError);
      await assert.rejects(b.list('/'), StorageError);
      await assert.rejects(b.watch('/', 0, () => {}, new AbortController().signal), StorageError);
    });
  });
}
