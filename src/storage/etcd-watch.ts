// One Backend watch over etcd's own Watch stream: events after `afterRevision` with prevKv, one
// onEvents call per batch, CompactedError when etcd no longer has the history, and transparent
// resumption when the stream drops (etcd restarted, member lost its leader, connection reset).
//
// The watch asks etcd to start AT the last delivered revision (not after it) and drops that
// revision's events itself: etcd refuses a start below its compacted revision, so this makes
// "refused" mean exactly what the Backend promises (history after afterRevision is gone), and a
// resumed stream continues after the last delivered event with neither gap nor duplicate.
import * as grpc from '@grpc/grpc-js';
import type { KeyValue, WatchEvent } from './backend.js';
import { CompactedError, StorageError } from './backend.js';
import type { EtcdClient } from './etcd-client.js';
import type { PbEvent, PbKeyValue, PbWatchResponse } from './etcd-proto.js';
import type { Logger } from '../util/log.js';

export interface EtcdWatchOptions {
  key: Buffer;
  rangeEnd: Buffer;
  afterRevision: number;
  onEvents: (events: WatchEvent[]) => void;
  signal: AbortSignal;
  /** Told the compacted revision whenever etcd reports one. */
  onCompacted: (revision: number) => void;
  log: Logger;
}

/** Stream failures worth resuming from; anything else (bad request, auth) ends the watch. */
const RESUMABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED, grpc.status.ABORTED]);
const MAX_BACKOFF_MS = 2_000;

export function toKeyValue(kv: PbKeyValue): KeyValue {
  return { key: kv.key.toString('utf8'), value: kv.value.toString('utf8'), createRevision: kv.createRevision, modRevision: kv.modRevision };
}

export function toWatchEvent(ev: PbEvent): WatchEvent {
  const kv = ev.kv!;
  const prevKv = ev.prevKv ? toKeyValue(ev.prevKv) : undefined;
  if (ev.type === 'DELETE') {
    // etcd's delete event carries only the key and the delete's revision; the Backend's carries
    // the last value (prevKv's) at that revision.
    const last = prevKv ?? { key: kv.key.toString('utf8'), value: '', createRevision: 0, modRevision: 0 };
    const e: WatchEvent = { type: 'delete', kv: { ...last, modRevision: kv.modRevision } };
    if (prevKv) e.prevKv = prevKv;
    return e;
  }
  const e: WatchEvent = { type: 'put', kv: toKeyValue(kv) };
  if (kv.createRevision === kv.modRevision) e.created = true;
  else if (prevKv) e.prevKv = prevKv;
  return e;
}

export async function runEtcdWatch(client: EtcdClient, o: EtcdWatchOptions): Promise<void> {
  let last = o.afterRevision;
  let backoff = 100;
  /** Events received but not yet handed over (responses that arrive together form one batch). */
  let pending: WatchEvent[] = [];
  let flushing: NodeJS.Immediate | undefined;
  let failure: unknown;
  /** Aborted when the caller aborts or the watch fails: ends the stream and any back-off at once. */
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  if (o.signal.aborted) stop.abort();
  const fail = (err: unknown) => {
    if (failure === undefined) failure = err;
    stop.abort();
  };
  const flush = () => {
    flushing = undefined;
    const batch = pending;
    pending = [];
    if (!batch.length || stop.signal.aborted) return;
    try {
      o.onEvents(batch);
    } catch (e) {
      fail(e);
    }
  };

  try {
    while (!stop.signal.aborted) {
      const dropped = await new Promise<boolean>((resolve) => {
        let conn: ReturnType<EtcdClient['openWatch']>;
        try {
          conn = client.openWatch();
        } catch (e) {
          fail(e);
          resolve(false);
          return;
        }
        const { stream } = conn;
        let settled = false;
        const finish = (isDrop: boolean) => {
          if (settled) return;
          settled = true;
          stop.signal.removeEventListener('abort', onStop);
          stream.removeAllListeners('data');
          stream.on('error', () => {}); // the cancel below reports CANCELLED; nobody needs it
          stream.cancel();
          resolve(isDrop);
        };
        const onStop = () => finish(false);
        stop.signal.addEventListener('abort', onStop, { once: true });

        let fragments: PbEvent[] = [];
        stream.on('data', (res: PbWatchResponse) => {
          if (res.compactRevision > 0) {
            o.onCompacted(res.compactRevision);
            if (res.canceled || res.compactRevision > last) return fail(new CompactedError(last, res.compactRevision));
          }
          if (res.created && res.canceled) return fail(new StorageError(`etcd refused the watch: ${res.cancelReason || 'no reason given'}`));
          if (res.canceled) {
            // etcd cancels a watch it cannot serve any more (e.g. "etcdserver: no leader"): resume.
            o.log.debug(`etcd watch canceled by ${conn.endpoint}: ${res.cancelReason || 'no reason given'}`);
            conn.failed();
            return finish(true);
          }
          if (res.created) backoff = 100;
          // Large responses arrive in fragments (we ask for them); the last has fragment=false.
          fragments.push(...res.events);
          if (res.fragment) return;
          const events = fragments;
          fragments = [];
          for (const ev of events) {
            if (!ev.kv || ev.kv.modRevision <= last) continue;
            pending.push(toWatchEvent(ev));
          }
          if (pending.length) {
            last = pending[pending.length - 1]!.kv.modRevision;
            flushing ??= setImmediate(flush);
          }
        });
        stream.on('error', (err: grpc.ServiceError) => {
          if (settled) return;
          if (RESUMABLE.has(err.code)) {
            o.log.debug(`etcd watch stream to ${conn.endpoint} failed (${err.details || err.message}); resuming after revision ${last}`);
            conn.failed();
            finish(true);
          } else {
            fail(new StorageError(`etcd watch on ${conn.endpoint} failed: ${err.details || err.message}`));
          }
        });
        stream.on('end', () => finish(true));
        stream.write({ createRequest: { key: o.key, rangeEnd: o.rangeEnd, startRevision: Math.max(last, 1), prevKv: true, fragment: true } });
      });
      if (!dropped) break;
      await pause(backoff, stop.signal);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    if (flushing) clearImmediate(flushing);
  }
  if (failure !== undefined) throw failure;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
