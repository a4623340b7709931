// Watch streams: newline-delimited {"type","object"} events over a chunked response, from the
// watch cache. resourceVersion unset/"0" starts with synthetic ADDED events for the current
// state; an exact resourceVersion resumes after it (410 Expired once it has left the cache).
// Objects leaving or entering a selector become DELETED / ADDED, as upstream's cacher does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KObject } from '../api/types.js';
import { badRequest } from '../api/errors.js';
import type { Store } from './registry/store.js';
import { buildFilter } from './registry/filter.js';
import { listPrefix, objectKey } from './registry/keys.js';
import type { CachedEvent, WatchCache } from './watch-cache.js';
import { CompactedError } from '../storage/backend.js';
import type { OutputFormat } from './respond.js';
import { toTable } from './table.js';

export interface WatchParams {
  store: Store;
  cache: WatchCache;
  namespace: string;
  name: string;
  query: URLSearchParams;
  out: OutputFormat;
  version: string;
  signal: AbortSignal;
}

const BOOKMARK_INTERVAL_MS = 30_000;
const MAX_QUEUED_EVENTS = 50_000;

export async function serveWatch(req: IncomingMessage, res: ServerResponse, p: WatchParams): Promise<void> {
  const { store, cache, query } = p;
  const info = store.info;
  let fieldSelector = query.get('fieldSelector');
  if (p.name) fieldSelector = fieldSelector ? `${fieldSelector},metadata.name=${p.name}` : `metadata.name=${p.name}`;
  const selective = buildFilter(info, query.get('labelSelector'), fieldSelector, (o) => store.output(o, p.version));
  const filter = selective ?? (() => true);
  const rvParam = query.get('resourceVersion') ?? '';
  const sendInitial = query.get('sendInitialEvents') === 'true';
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const timeoutRaw = query.get('timeoutSeconds');
  let timeoutMs = 30 * 60 * 1000 * (1 + Math.random());
  if (timeoutRaw !== null) {
    const t = Number(timeoutRaw);
    if (!Number.isFinite(t) || t < 0) throw badRequest(`invalid timeoutSeconds "${timeoutRaw}"`);
    if (t > 0) timeoutMs = t * 1000;
  }
  if (rvParam && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version "${rvParam}"`);
  const prefix = listPrefix(info, p.namespace);

  let initial: KObject[] = [];
  let fromRev: number;
  if (rvParam === '' || rvParam === '0' || sendInitial) {
    // Current state first (synthetic ADDED), then changes after the list's revision.
    const list = await store.list(p.namespace, { filter });
    initial = list.items;
    fromRev = Number(list.metadata.resourceVersion);
    if (sendInitial && rvParam && rvParam !== '0' && Number(rvParam) > fromRev) fromRev = Number(rvParam);
  } else {
    fromRev = Number(rvParam);
  }

  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let endAfterFlush = false;
  const done = new AbortController();
  const push = (line: string) => {
    // A watcher that does not keep up is closed (as upstream's cacher does); the client re-lists.
    if (queue.length >= MAX_QUEUED_EVENTS) done.abort();
    else queue.push(line);
    wake?.();
  };
  // Plain JSON events are the same bytes for every watcher of a version: encode once per event.
  const encodeKey = p.out.type === 'json' ? `${info.group}/${p.version}` : undefined;
  const encode = (type: string, obj: KObject, e?: CachedEvent): string => {
    const memo = encodeKey && e ? e.encoded?.get(`${encodeKey}/${type}`) : undefined;
    if (memo) return memo;
    const out = store.output(obj, p.version);
    const object = p.out.type === 'table' ? toTable(info, [out], { resourceVersion: out.metadata.resourceVersion }, p.out.includeObject) : out;
    const line = JSON.stringify({ type, object }) + '\n';
    if (encodeKey && e) (e.encoded ??= new Map()).set(`${encodeKey}/${type}`, line);
    return line;
  };
  // With a selector: the keys whose last version this watch saw was selected, so an update knows
  // whether the object was in the selection without decoding its previous value. Keys created
  // after `fromRev` are fully known here; older ones not in the set decode it once.
  const selected = new Set<string>();
  const wasSelected = (e: CachedEvent): boolean => {
    if (e.created) return false;
    if (selected.has(e.key)) return true;
    if (e.createRevision > fromRev) return false;
    const prev = e.prevObject();
    return prev ? filter(prev) : false;
  };
  const onEvents = (events: CachedEvent[]) => {
    for (const e of events) {
      const obj = e.object();
      if (e.type === 'delete') {
        if (filter(obj)) push(encode('DELETED', obj, e));
        selected.delete(e.key);
        continue;
      }
      if (!selective) {
        push(encode(e.created ? 'ADDED' : 'MODIFIED', obj, e));
        continue;
      }
      const cur = filter(obj);
      const was = wasSelected(e);
      if (cur) selected.add(e.key);
      else selected.delete(e.key);
      if (cur && !was) push(encode('ADDED', obj, e));
      else if (cur) push(encode('MODIFIED', obj, e));
      else if (was) {
        // Leaving the selection: DELETED with the last selected state, at this event's version.
        const prev = e.prevObject() ?? obj;
        push(encode('DELETED', { ...prev, metadata: { ...prev.metadata, resourceVersion: obj.metadata.resourceVersion } }));
      }
    }
  };

  await cache.waitFor(fromRev);
  // Should the cache lose storage's history (watch-cache.ts), the stream ends: the client relists.
  let sub = cache.subscribe(prefix, fromRev, onEvents, () => done.abort());
  if (!sub) {
    // Older than the cache holds: replay from storage's history, if it still has it.
    try {
      // A storage watch that fails later (etcd reports compacted history after a round trip) ends
      // the stream with the same ERROR event.
      await cache.subscribeFromStorage(prefix, fromRev, onEvents, done.signal, (e) => {
        if (e instanceof CompactedError) push(expiredLine(fromRev, e.compacted));
        endAfterFlush = true;
        wake?.();
      });
      sub = { replay: [], cancel: () => done.abort() };
    } catch (e) {
      if (!(e instanceof CompactedError)) throw e;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      res.end(expiredLine(fromRev, e.compacted));
      return;
    }
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  for (const obj of initial) {
    push(encode('ADDED', obj));
    if (selective) selected.add(objectKey(info, obj.metadata.namespace ?? '', obj.metadata.name ?? ''));
  }
  if (sendInitial) push(bookmark(info, p.version, String(fromRev), true));
  onEvents(sub.replay);

  const stop = () => done.abort();
  done.signal.addEventListener('abort', () => wake?.(), { once: true });
  const timer = setTimeout(stop, timeoutMs);
  const bookmarkTimer = bookmarks ? setInterval(() => push(bookmark(info, p.version, String(cache.revision), false)), BOOKMARK_INTERVAL_MS) : undefined;
  req.on('close', stop);
  res.on('close', stop);
  p.signal.addEventListener('abort', stop, { once: true });
  try {
    while (!done.signal.aborted) {
      if (queue.length === 0) {
        if (endAfterFlush) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const chunk = queue.splice(0, queue.length).join('');
      if (!res.write(chunk)) {
        // Wait for the socket to drain (or the watch to end); new events queue up meanwhile.
        await new Promise<void>((resolve) => {
          const finish = () => {
            res.off('drain', finish);
            resolve();
          };
          res.once('drain', finish);
          wake = () => done.signal.aborted && finish();
        });
        wake = undefined;
      }
    }
  } finally {
    sub.cancel();
    clearTimeout(timer);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    p.signal.removeEventListener('abort', stop);
    if (!res.writableEnded) res.end();
  }
}

function bookmark(info: Store['info'], version: string, rv: string, initialEnd: boolean): string {
  const metadata: Record<string, unknown> = { resourceVersion: rv };
  if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return JSON.stringify({ type: 'BOOKMARK', object: { kind: info.kind, apiVersion: info.group ? `${info.group}/${version}` : version, metadata } }) + '\n';
}

/** The ERROR event of a watch from a resourceVersion whose history is gone (as upstream's 410 Expired). */
function expiredLine(fromRev: number, compacted: number): string {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${fromRev} (${compacted})`, reason: 'Expired', code: 410 };
  return JSON.stringify({ type: 'ERROR', object: status }) + '\n';
}
