// Informers: list+watch one resource into a local cache and tell handlers what changed, as
// client-go's shared informers. The watch resumes from the last resourceVersion; on 410 Expired
// (or any break) it re-lists and emits the difference. A resync timer re-announces every object
// so level-triggered controllers converge even if an event was missed. Cached objects are shared
// and read-only: clone before changing.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { RestClient, WatchEventOf } from './rest-client.js';
import { resourcePath } from './rest-client.js';

export interface ResourceHandler<T extends KObject = KObject> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, obj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-announce every cached object (as onUpdate(obj, obj)) this often; 0 = never. */
  resyncMs?: number;
  /**
   * Keep metadata.managedFields in the cache. By default they are dropped, as upstream's
   * controller manager and scheduler do (TransformStripManagedFields): no component reads them,
   * they are often the larger part of a small object, and an update sent without them keeps the
   * stored ones.
   */
  keepManagedFields?: boolean;
  /**
   * Reduces each object before it is cached (as client-go's SetTransform): a component that reads
   * a few fields of a large kind keeps only those. Handlers see the transformed objects.
   */
  transform?: (obj: KObject) => KObject;
  onError?: (msg: string) => void;
}

export function objectKey(obj: KObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name}` : obj.metadata.name!;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** What a controller uses of an informer: its cache and its event handlers. */
export interface CachedInformer<T extends KObject = KObject> {
  addHandler(h: ResourceHandler<T>): void;
  get(namespace: string, name: string): T | undefined;
  getByKey(key: string): T | undefined;
  list(namespace?: string): T[];
  readonly hasSynced: boolean;
  waitForSync(): Promise<void>;
}

export class Informer<T extends KObject = KObject> implements CachedInformer<T> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: ResourceHandler<T>[] = [];
  private lastRv = '';
  private synced = false;
  private syncWaiters: (() => void)[] = [];

  constructor(
    private readonly client: RestClient,
    readonly opts: InformerOptions,
  ) {}

  addHandler(h: ResourceHandler<T>): void {
    this.handlers.push(h);
    // Late handlers see the current state.
    if (this.synced) for (const o of this.cache.values()) h.onAdd?.(o);
  }

  removeHandler(h: ResourceHandler<T>): void {
    const i = this.handlers.indexOf(h);
    if (i >= 0) this.handlers.splice(i, 1);
  }

  /** Calls `h.onUpdate(obj, obj)` for every cached object (a handler's own resync). */
  resync(h: ResourceHandler<T>): void {
    for (const o of this.cache.values()) {
      try {
        h.onUpdate?.(o, o);
      } catch (e) {
        this.opts.onError?.(`handler for ${this.opts.resource}: ${(e as Error).message}`);
      }
    }
  }

  get(namespace: string, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(namespace?: string): T[] {
    const out: T[] = [];
    for (const o of this.cache.values()) if (!namespace || o.metadata.namespace === namespace) out.push(o);
    return out;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  /** The path of the collection with the informer's selectors. */
  private path(extra: Record<string, string>): string {
    const q = new URLSearchParams();
    if (this.opts.labelSelector) q.set('labelSelector', this.opts.labelSelector);
    if (this.opts.fieldSelector) q.set('fieldSelector', this.opts.fieldSelector);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    const s = q.toString();
    return resourcePath(this.opts.group, this.opts.version, this.opts.resource, this.opts.namespace) + (s ? `?${s}` : '');
  }

  private async relist(): Promise<void> {
    const list = await this.client.list<T>(this.path({}));
    const seen = new Set<string>();
    for (const listed of list.items) {
      const item = this.trim(listed);
      const key = objectKey(item);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, item);
      if (!old) this.emit('add', item);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) this.emit('update', item, old);
    }
    for (const [key, old] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit('delete', old);
      }
    }
    this.lastRv = list.metadata.resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private trim(obj: T): T {
    if (!this.opts.keepManagedFields && obj.metadata?.managedFields) delete obj.metadata.managedFields;
    return this.opts.transform ? (this.opts.transform(obj) as T) : obj;
  }

  private emit(type: 'add' | 'update' | 'delete', obj: T, old?: T): void {
    for (const h of this.handlers) {
      try {
        if (type === 'add') h.onAdd?.(obj);
        else if (type === 'update') h.onUpdate?.(old!, obj);
        else h.onDelete?.(obj);
      } catch (e) {
        this.opts.onError?.(`handler for ${this.opts.resource}: ${(e as Error).message}`);
      }
    }
  }

  private onEvent(e: WatchEventOf<T>): void {
    if (e.type === 'BOOKMARK') {
      this.lastRv = e.object.metadata.resourceVersion ?? this.lastRv;
      return;
    }
    if (e.type === 'ERROR') {
      const st = e.object as unknown as { code?: number; message?: string };
      throw new StatusError(st.code ?? 500, st.code === 410 ? 'Expired' : 'InternalError', st.message ?? 'watch error');
    }
    const obj = this.trim(e.object);
    const key = objectKey(obj);
    this.lastRv = obj.metadata.resourceVersion ?? this.lastRv;
    const old = this.cache.get(key);
    if (e.type === 'DELETED') {
      this.cache.delete(key);
      this.emit('delete', old ?? obj);
    } else {
      this.cache.set(key, obj);
      if (old) this.emit('update', obj, old);
      else this.emit('add', obj);
    }
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const resync = this.opts.resyncMs
      ? setInterval(() => {
          for (const o of this.cache.values()) this.emit('update', o, o);
        }, this.opts.resyncMs)
      : undefined;
    let needList = true;
    let backoff = 100;
    try {
      while (!signal.aborted) {
        try {
          if (needList) {
            await this.relist();
            needList = false;
          }
          await this.client.watch<T>(this.path({ resourceVersion: this.lastRv, allowWatchBookmarks: 'true', timeoutSeconds: String(300 + Math.floor(Math.random() * 300)) }), (e) => this.onEvent(e), signal);
          backoff = 100;
        } catch (e) {
          if (signal.aborted) break;
          if (e instanceof StatusError && (e.code === 410 || e.reason === 'Expired')) needList = true;
          else {
            this.opts.onError?.(`${this.opts.resource} list/watch: ${(e as Error).message}`);
            needList = true;
            await sleep(backoff, signal);
            backoff = Math.min(backoff * 2, 5000);
          }
        }
      }
    } finally {
      if (resync) clearInterval(resync);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

/**
 * Informers that several components of one process share, each under its own leadership: the
 * controller manager and the scheduler both cache every pod and node, and with thousands of them
 * two copies were a large part of the server's memory and of the work per pod event. An informer
 * runs while at least one component holds it and stops with the last. It lists and watches with
 * the pool's client (one identity for the shared caches, as one process).
 */
export class InformerPool {
  private readonly entries = new Map<string, { inf: Informer; users: number; ac: AbortController; running?: Promise<void> }>();
  private readonly runs = new Set<Promise<void>>();

  constructor(
    private readonly client: RestClient,
    private readonly onError?: (msg: string) => void,
  ) {}

  /** The shared informer of a resource (not yet running: see hold). */
  get(group: string, version: string, resource: string): Informer {
    const key = `${group}/${version}/${resource}`;
    let e = this.entries.get(key);
    if (!e) {
      e = { inf: new Informer(this.client, { group, version, resource, resyncMs: 0, onError: this.onError }), users: 0, ac: new AbortController() };
      this.entries.set(key, e);
    }
    return e.inf;
  }

  /** Keeps `inf` running until the returned release is called (the last release stops it). */
  hold(inf: Informer): () => void {
    const o = inf.opts;
    const key = `${o.group}/${o.version}/${o.resource}`;
    const e = this.entries.get(key);
    if (!e || e.inf !== inf) throw new Error(`informer ${key} is not in this pool`);
    e.users++;
    if (!e.running) {
      const running = inf.run(e.ac.signal).finally(() => this.runs.delete(running));
      this.runs.add(running);
      e.running = running;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--e.users > 0) return;
      e.ac.abort();
      this.entries.delete(key);
    };
  }

  /** Resolves when every informer of the pool has stopped (all holders released). */
  async stopped(): Promise<void> {
    await Promise.allSettled([...this.runs]);
  }

  /** Informers running now (for tests and diagnostics). */
  get size(): number {
    return this.runs.size;
  }
}

/** A component's view of a pooled informer: its handlers and resync go away when the component stops. */
class PooledInformer<T extends KObject> implements CachedInformer<T> {
  private readonly handlers: ResourceHandler<T>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly shared: Informer<T>,
    private readonly resyncMs: number,
  ) {}

  addHandler(h: ResourceHandler<T>): void {
    this.handlers.push(h);
    this.shared.addHandler(h);
  }
  get(namespace: string, name: string): T | undefined {
    return this.shared.get(namespace, name);
  }
  getByKey(key: string): T | undefined {
    return this.shared.getByKey(key);
  }
  list(namespace?: string): T[] {
    return this.shared.list(namespace);
  }
  get hasSynced(): boolean {
    return this.shared.hasSynced;
  }
  waitForSync(): Promise<void> {
    return this.shared.waitForSync();
  }

  start(): void {
    if (this.resyncMs) this.timer = setInterval(() => this.handlers.forEach((h) => this.shared.resync(h)), this.resyncMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const h of this.handlers.splice(0)) this.shared.removeHandler(h);
  }
}

/**
 * One informer per resource, shared by every controller of a component. With a pool, the
 * informers are the pool's (shared with other components) and this factory holds them from
 * start(signal) until the signal aborts.
 */
export class InformerFactory {
  private readonly informers = new Map<string, CachedInformer>();
  private started: AbortSignal | undefined;
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly client: RestClient,
    private readonly defaults: { resyncMs?: number; onError?: (msg: string) => void; pool?: InformerPool } = {},
  ) {}

  informer<T extends KObject = KObject>(group: string, version: string, resource: string): CachedInformer<T> {
    const key = `${group}/${version}/${resource}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = this.defaults.pool
        ? new PooledInformer(this.defaults.pool.get(group, version, resource), this.defaults.resyncMs ?? 0)
        : new Informer(this.client, { group, version, resource, resyncMs: this.defaults.resyncMs, onError: this.defaults.onError });
      this.informers.set(key, inf);
      if (this.started) this.run(inf, this.started);
    }
    return inf as unknown as CachedInformer<T>;
  }

  start(signal: AbortSignal): void {
    this.started = signal;
    for (const inf of this.informers.values()) this.run(inf, signal);
  }

  private run(inf: CachedInformer, signal: AbortSignal): void {
    if (inf instanceof Informer) {
      this.running.push(inf.run(signal));
      return;
    }
    const pooled = inf as PooledInformer<KObject>;
    const release = this.defaults.pool!.hold(pooled.shared);
    pooled.start();
    this.running.push(
      new Promise<void>((resolve) => {
        const stop = () => {
          pooled.stop();
          release();
          resolve();
        };
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
      }),
    );
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  async stopped(): Promise<void> {
    await Promise.allSettled(this.running);
  }
}
