// The etcd backend: the Backend interface over etcd's v3 API, so kts can keep its objects in an
// external etcd cluster as k3s and upstream do. Keys are stored as the apiserver names them
// (/registry/...), so an etcd used by kts looks like upstream's. Guarded writes are etcd
// transactions (create: createRevision==0; update/delete: modRevision==expected), reads are
// linearizable Ranges (at a revision when asked), watches use etcd's own watch (etcd-watch.ts), and
// compaction is upstream's (etcd-compactor.ts). etcd reports its compacted revision only when a
// read or watch runs into it, so the backend keeps a floor: what it compacted itself, what
// upstream's compact_rev_key records, and what etcd reported.
import type { Backend, KeyValue, ListOptions, ListResult, WatchEvent } from './backend.js';
import { CompactedError, ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError, StorageError } from './backend.js';
import type { Compactor } from './compactor.js';
import { EtcdClient, EtcdError } from './etcd-client.js';
import type { EtcdClientOptions } from './etcd-client.js';
import { COMPACT_REV_KEY, startEtcdCompactor } from './etcd-compactor.js';
import type { PbKeyValue, PbRangeResponse } from './etcd-proto.js';
import { runEtcdWatch, toKeyValue } from './etcd-watch.js';
import { prefixEnd, rangeStart } from './key-range.js';
import { createLogger } from '../util/log.js';
import type { Logger } from '../util/log.js';

export interface EtcdBackendOptions extends EtcdClientOptions {
  /** Background compaction interval (default 5 minutes, as upstream's apiserver; 0 disables). */
  compactIntervalMs?: number;
  /** Closes the backend when aborted. */
  signal?: AbortSignal;
  log?: Logger;
}

export interface EtcdBackend extends Backend {
  /** What start-up found: the endpoint that answered and its etcd version. */
  readonly info: { endpoint: string; version: string };
}

/** Connects (checking that etcd answers) and returns the backend; throws a StorageError naming the endpoints. */
export async function openEtcdBackend(opts: EtcdBackendOptions): Promise<EtcdBackend> {
  const backend = new EtcdStore(opts);
  try {
    await backend.start(opts.compactIntervalMs);
  } catch (e) {
    await backend.close();
    throw new StorageError(`cannot use etcd at ${opts.endpoints.join(',')}: ${(e as Error).message}`, { cause: e });
  }
  return backend;
}

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
/** In a range, a key or range end of a single zero byte means "from the start" / "to the end". */
const ALL = Buffer.from([0]);
const PROBE_KEY = enc(COMPACT_REV_KEY);

class EtcdStore implements EtcdBackend {
  info = { endpoint: '', version: '' };
  private readonly client: EtcdClient;
  private readonly log: Logger;
  /** A lower bound of etcd's compacted revision. */
  private floor = 0;
  private compactor: Compactor | undefined;
  private readonly watches = new Map<AbortController, Promise<void>>();
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => void this.close();

  constructor(opts: EtcdBackendOptions) {
    this.client = new EtcdClient(opts);
    this.log = opts.log ?? createLogger({ component: 'storage/etcd' });
    this.signal = opts.signal;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  async start(compactIntervalMs: number | undefined): Promise<void> {
    const status = await this.client.status();
    if (status.errors.length) this.log.warn(`etcd at ${status.endpoint} reports: ${status.errors.join('; ')}`);
    this.info = { endpoint: status.endpoint, version: status.version };
    await this.compactRevision();
    if (this.closed) return;
    this.compactor = startEtcdCompactor(this.client, {
      intervalMs: compactIntervalMs,
      compact: (rev) => this.compact(rev),
      onError: (err) => this.log.warn(`compaction failed: ${(err as Error).message ?? String(err)}`),
    });
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return (await this.client.range({ key: PROBE_KEY, countOnly: true })).header.revision;
  }

  async compactRevision(): Promise<number> {
    this.assertOpen();
    const r = await this.client.range({ key: PROBE_KEY });
    const recorded = Number(r.kvs[0]?.value.toString('utf8'));
    if (Number.isSafeInteger(recorded)) this.raiseFloor(recorded);
    return this.floor;
  }

  async get(key: string, revision?: number): Promise<{ kv?: KeyValue; revision: number }> {
    this.assertOpen();
    const at = revision && revision > 0 ? revision : 0;
    const r = await this.read(at, { key: enc(key), revision: at });
    const rev = at || r.header.revision;
    return r.kvs[0] ? { kv: toKeyValue(r.kvs[0]), revision: rev } : { revision: rev };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.assertOpen();
    const k = enc(key);
    const r = await this.client.txn({ compare: [{ key: k, target: 'CREATE', result: 'EQUAL', createRevision: 0 }], success: [{ requestPut: { key: k, value: enc(value) } }], failure: [] });
    if (!r.succeeded) throw new KeyExistsError(key);
    const rev = r.header.revision;
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.assertOpen();
    const k = enc(key);
    const r = await this.client.txn({
      // The key must exist too: a missing key's modRevision compares as 0.
      compare: [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: expectedModRevision }, { key: k, target: 'CREATE', result: 'GREATER', createRevision: 0 }],
      success: [{ requestPut: { key: k, value: enc(value), prevKv: true } }],
      failure: [{ requestRange: { key: k } }],
    });
    if (!r.succeeded) throw refused(key, r.responses[0]?.responseRange);
    const prev = r.responses[0]?.responsePut?.prevKv;
    const rev = r.header.revision;
    return { key, value, createRevision: prev?.createRevision || rev, modRevision: rev };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.assertOpen();
    const k = enc(key);
    let deleted: { header: { revision: number }; prevKvs: PbKeyValue[] } | undefined;
    if (expectedModRevision === undefined) {
      deleted = await this.client.deleteRange({ key: k, prevKv: true });
    } else {
      const r = await this.client.txn({
        compare: [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: expectedModRevision }],
        success: [{ requestDeleteRange: { key: k, prevKv: true } }],
        failure: [{ requestRange: { key: k } }],
      });
      if (!r.succeeded) throw refused(key, r.responses[0]?.responseRange);
      deleted = { header: r.header, prevKvs: r.responses[0]?.responseDeleteRange?.prevKvs ?? [] };
    }
    const prev = deleted.prevKvs[0];
    if (!prev) throw new KeyNotFoundError(key);
    return { ...toKeyValue(prev), modRevision: deleted.header.revision };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const at = opts.revision && opts.revision > 0 ? opts.revision : 0;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const start = rangeStart(prefix, opts.startKey);
    const end = prefixEnd(prefix);
    const r = await this.read(at, { key: start ? enc(start) : ALL, rangeEnd: end === undefined ? ALL : enc(end), limit, revision: at });
    const kvs = r.kvs.map(toKeyValue);
    const revision = at || r.header.revision;
    // etcd's count is every key in the range; what is left after this page is the rest.
    return r.more ? { kvs, revision, more: true, remaining: r.count - kvs.length } : { kvs, revision, more: false };
  }

  async count(prefix: string): Promise<{ count: number; revision: number }> {
    this.assertOpen();
    const end = prefixEnd(prefix);
    const r = await this.client.range({ key: prefix ? enc(prefix) : ALL, rangeEnd: end === undefined ? ALL : enc(end), countOnly: true });
    return { count: r.count, revision: r.header.revision };
  }

  async watch(prefix: string, afterRevision: number, onEvents: (events: WatchEvent[]) => void, signal: AbortSignal): Promise<void> {
    this.assertOpen();
    if (signal.aborted) return;
    const after = Math.max(0, afterRevision);
    // Refused at once when already known; etcd itself refuses the rest (see etcd-watch.ts).
    if (after < this.floor) throw new CompactedError(after, this.floor);
    const end = prefixEnd(prefix);
    const ac = new AbortController();
    const stop = () => ac.abort();
    signal.addEventListener('abort', stop, { once: true });
    const running = runEtcdWatch(this.client, {
      key: prefix ? enc(prefix) : ALL,
      rangeEnd: end === undefined ? ALL : enc(end),
      afterRevision: after,
      onEvents,
      signal: ac.signal,
      onCompacted: (rev) => this.raiseFloor(rev),
      log: this.log,
    }).finally(() => {
      signal.removeEventListener('abort', stop);
      this.watches.delete(ac);
    });
    this.watches.set(ac, running);
    return running;
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision <= this.floor) return;
    try {
      await this.client.compact(revision);
    } catch (e) {
      // Someone (another server, etcdctl, etcd's auto-compaction) already compacted past it.
      if (e instanceof EtcdError && /has been compacted/.test(e.details)) return;
      if (e instanceof EtcdError && /future revision/.test(e.details)) throw new FutureRevisionError(revision, await this.currentRevision());
      throw e;
    }
    this.raiseFloor(revision);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.signal?.removeEventListener('abort', this.onAbort);
      await this.compactor?.stop();
      for (const ac of this.watches.keys()) ac.abort();
      await Promise.allSettled(this.watches.values());
      this.client.close();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('storage backend is closed');
  }

  private raiseFloor(revision: number): void {
    if (revision > this.floor) this.floor = revision;
  }

  /** A Range at `revision` (0: current), with etcd's compacted / future answers as the Backend's errors. */
  private async read(revision: number, req: Parameters<EtcdClient['range']>[0]): Promise<PbRangeResponse> {
    try {
      return await this.client.range(req);
    } catch (e) {
      if (!(e instanceof EtcdError) || !revision) throw e;
      if (/has been compacted/.test(e.details)) {
        // etcd does not say where its history starts; it is above the revision asked for.
        this.raiseFloor(revision + 1);
        throw new CompactedError(revision, await this.compactRevision());
      }
      if (/future revision/.test(e.details)) throw new FutureRevisionError(revision, await this.currentRevision());
      throw e;
    }
  }
}

/** A refused guarded write: the key is gone, or it changed (carrying its current value). */
function refused(key: string, current: PbRangeResponse | undefined): StorageError {
  const kv = current?.kvs[0];
  return kv ? new ConflictError(key, toKeyValue(kv)) : new KeyNotFoundError(key);
}
