// The generic REST store: create, get, list, update, delete for one resource over the storage
// backend, with upstream's object semantics (uid, creationTimestamp, generation, resourceVersion
// preconditions, finalizers and deletionTimestamp, status subresource separation, dry run).
import { randomUUID } from 'node:crypto';
import type { KObject, KList, ObjectMeta } from '../../api/types.js';
import { clone, isPlainObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { FieldError } from '../../api/errors.js';
import { StatusError, alreadyExists, badRequest, conflict, expired, fieldErrors, invalid, notFound, staleConflict, internal } from '../../api/errors.js';
import type { Backend } from '../../storage/backend.js';
import { CompactedError, ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError } from '../../storage/backend.js';
import { applyDefaults } from '../../api/defaults/index.js';
import { validateCreate, validateUpdate, validateStatusUpdate } from '../../api/validation/index.js';
import { decodeStored } from '../watch-cache.js';
import type { StoredValue } from '../watch-cache.js';
import { listPrefix, objectKey, resourcePrefix } from './keys.js';
import type { Strategy } from './strategy.js';
import { strategyFor } from './strategy.js';
import { apiVersionOf, fromStorage } from './convert.js';
import type { ObjectFilter } from './filter.js';

/** Tells when a key prefix last changed (the watch cache implements it). */
/** An object as read for an update: the caller's copy and the stored value it came from. */
export interface Current {
  kv: StoredValue;
  obj: KObject;
}

export interface CurrentSource {
  latest(key: string, storageRevision: number): StoredValue | null | undefined;
  /** The object a write is about to store as `value`, so the cache need not parse the text again. */
  offer?(key: string, value: string, obj: KObject): void;
  withdraw?(key: string, value: string): void;
}

export interface ChangeSource {
  track(prefix: string): void;
  lastChange(prefix: string): number;
}

export interface RequestContext {
  user: { name: string; groups: string[] };
  dryRun: boolean;
  fieldManager?: string;
  warnings: string[];
  /** Annotations for this request's audit event (absent when nothing audits it). */
  auditAnnotations?: Record<string, string>;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface ListOptions {
  filter?: ObjectFilter;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** Hooks around writes: admission (mutate/validate) and allocation of cluster resources. */
export interface StoreHooks {
  /** Mutating admission, after defaulting (allocate IPs/ports, namespace lifecycle checks ...). */
  beforeCreate?(obj: KObject, ctx: RequestContext): Promise<void>;
  beforeUpdate?(obj: KObject, old: KObject, ctx: RequestContext, subresource: string): Promise<void>;
  beforeDelete?(obj: KObject, ctx: RequestContext): Promise<void>;
  /** After the object is gone from storage (release allocations). */
  afterDelete?(obj: KObject): Promise<void>;
  /** After a create failed to persist (release what beforeCreate took). */
  abortCreate?(obj: KObject): Promise<void>;
  /** Pod graceful deletion: returns the grace period to wait, or 0 to delete now. */
  gracePeriod?(obj: KObject, requested: number | undefined): number;
  /**
   * Runs `write` (the before-hook and the persist of one create or update) exclusively where
   * admission needs it (quota: one namespace at a time, so usage cannot be double-counted).
   */
  serialize?<T>(obj: KObject, operation: 'CREATE' | 'UPDATE', subresource: string, write: () => Promise<T>): Promise<T>;
  /**
   * Replaces the built-in defaulting and validation of the kind (custom resources: schema-driven
   * pruning, defaulting and validation; CRDs: their own checks). Built-in kinds leave it unset.
   */
  validation?: CustomValidation;
}

export interface CustomValidation {
  /** Defaulting (and pruning), in place, before validation. */
  prepare(obj: KObject, old: KObject | undefined, subresource: string): void;
  validate(obj: KObject, old: KObject | undefined, subresource: string): FieldError[];
}

/** Conflicts that are a lost compare-and-swap in storage (safe to redo from a fresh read). */
const storageConflicts = new WeakSet<StatusError>();

export class Store {
  readonly strategy: Strategy;
  readonly prefix: string;
  readonly ref: { group: string; resource: string };

  /** Writes through this store (invalidates listCached at once for this server's own writes). */
  private localWrites = 0;
  private changes?: ChangeSource;
  private currentSource?: CurrentSource;
  private readonly memo = new Map<string, { rev: number; local: number; items: KObject[] }>();
  /** Objects read by getCached, valid while the resource has not changed since (rev, local). */
  private readonly objects = { rev: -1, local: -1, byKey: new Map<string, KObject>() };

  constructor(
    readonly info: ResourceInfo,
    private readonly backend: Backend,
    readonly hooks: StoreHooks = {},
  ) {
    this.strategy = strategyFor(info);
    this.prefix = resourcePrefix(info);
    this.ref = { group: info.group, resource: info.resource };
  }

  key(namespace: string, name: string): string {
    return objectKey(this.info, namespace, name);
  }

  /** The namespace an object belongs to as the store keys it ('' for cluster-scoped). */
  namespaceOf(obj: KObject): string {
    return this.info.namespaced ? (obj.metadata.namespace ?? '') : '';
  }

  /** Lets listCached see writes made by any server, through the watch cache. */
  /**
   * Single-key reads (get, and the read of update, patch and delete) come from `source` when it
   * has seen every write to a local backend (the watch cache: no storage read, as upstream serves
   * the current object of an update from its cache). Writes stay guarded by the revision read.
   */
  readCurrentFrom(source: CurrentSource): void {
    this.currentSource = source;
  }

  /**
   * Hands the cache the object a write stores (local backends only: their events reach the cache
   * before the writer resumes, so the writer cannot change the object before the fan-out).
   */
  private offer(key: string, value: string, obj: KObject): void {
    if (this.backend.publishedRevision) this.currentSource?.offer?.(key, value, obj);
  }

  /** The stored value of `key` now: from the current-value source when it can tell, else storage. */
  private async readKey(key: string): Promise<StoredValue | undefined> {
    const rev = this.currentSource ? this.backend.publishedRevision?.() : undefined;
    if (rev !== undefined) {
      const hit = this.currentSource!.latest(key, rev);
      if (hit !== undefined) return hit ?? undefined;
    }
    return (await this.backend.get(key)).kv;
  }

  trackChanges(changes: ChangeSource): void {
    this.changes = changes;
    changes.track(this.prefix);
  }

  /**
   * The objects of a namespace from a memo that is dropped whenever the resource changes (for
   * admission's look-ups of LimitRanges, PriorityClasses and ResourceQuotas on every create, as
   * upstream's admission reads informer caches). Items are shared: read only.
   */
  async listCached(namespace: string): Promise<KObject[]> {
    if (!this.changes) return (await this.list(namespace, {})).items;
    const rev = this.changes.lastChange(this.prefix);
    const m = this.memo.get(namespace);
    if (m && m.rev === rev && m.local === this.localWrites) return m.items;
    const local = this.localWrites;
    const items = (await this.list(namespace, {})).items;
    if (this.memo.size > 1000) this.memo.clear();
    this.memo.set(namespace, { rev, local, items });
    return items;
  }

  /**
   * One object from a memo dropped whenever the resource changes (any server's write, through the
   * watch cache; this server's at once), else from storage. For admission's look-ups on every
   * create (the namespace, the ServiceAccount), as upstream's admission reads informer caches.
   * A miss always asks storage (upstream's live look-up), so an object just created on another
   * server is never reported missing. The object is shared: read only.
   */
  async getCached(namespace: string, name: string): Promise<KObject | undefined> {
    if (!this.changes) return this.tryGet(namespace, name);
    const rev = this.changes.lastChange(this.prefix);
    const memo = this.objects;
    if (memo.rev !== rev || memo.local !== this.localWrites || memo.byKey.size > 10_000) {
      memo.byKey.clear();
      memo.rev = rev;
      memo.local = this.localWrites;
    }
    const key = this.key(namespace, name);
    const hit = memo.byKey.get(key);
    if (hit) return hit;
    const local = this.localWrites;
    const obj = await this.tryGet(namespace, name);
    // Kept only if nothing changed while it was read.
    if (obj && memo.rev === this.changes.lastChange(this.prefix) && local === this.localWrites && memo.local === local) memo.byKey.set(key, obj);
    return obj;
  }

  /** The stored object and the value it was decoded from, to hand to update (one read, one parse). */
  async readCurrent(namespace: string, name: string): Promise<Current | undefined> {
    const kv = await this.readKey(this.key(namespace, name));
    return kv && { kv, obj: decodeStored(kv.value, kv.modRevision) };
  }

  async get(namespace: string, name: string): Promise<KObject> {
    const kv = await this.readKey(this.key(namespace, name));
    if (!kv) throw notFound(this.ref, name);
    return decodeStored(kv.value, kv.modRevision);
  }

  async tryGet(namespace: string, name: string): Promise<KObject | undefined> {
    const kv = await this.readKey(this.key(namespace, name));
    return kv ? decodeStored(kv.value, kv.modRevision) : undefined;
  }

  /** Lists in storage form; the caller converts items to the requested version. */
  async list(namespace: string, opts: ListOptions): Promise<KList> {
    const prefix = listPrefix(this.info, namespace);
    let startKey: string | undefined;
    let revision = 0;
    if (opts.continue) {
      const tok = decodeContinue(opts.continue);
      startKey = prefix + tok.start;
      revision = tok.rv;
    } else if (opts.resourceVersion && opts.resourceVersionMatch === 'Exact') {
      revision = parseRv(opts.resourceVersion);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: KObject[] = [];
    let more = false;
    let remaining: number | undefined;
    let lastKey = '';
    let listRevision = revision;
    try {
      for (;;) {
        const page = await this.backend.list(prefix, { limit: limit ? Math.max(limit - items.length, 1) + (opts.filter ? 50 : 0) : 0, startKey, revision: listRevision });
        listRevision = page.revision;
        let stoppedEarly = false;
        let leftInPage = 0;
        for (let i = 0; i < page.kvs.length; i++) {
          const kv = page.kvs[i]!;
          const obj = decodeStored(kv.value, kv.modRevision);
          lastKey = kv.key;
          if (opts.filter && !opts.filter(obj)) continue;
          items.push(obj);
          if (limit && items.length >= limit) {
            leftInPage = page.kvs.length - 1 - i;
            stoppedEarly = leftInPage > 0 || page.more;
            break;
          }
        }
        if (limit && items.length >= limit) {
          more = stoppedEarly;
          if (more && !opts.filter) remaining = (page.more ? (page.remaining ?? 0) : 0) + leftInPage;
          break;
        }
        if (!page.more) break;
        startKey = page.kvs.length ? page.kvs[page.kvs.length - 1]!.key + '\0' : startKey;
      }
    } catch (e) {
      if (e instanceof CompactedError) {
        if (opts.continue) {
          throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
        }
        throw expired(`too old resource version: ${revision} (${e.compacted})`);
      }
      if (e instanceof FutureRevisionError) throw new StatusError(504, 'Timeout', `Too large resource version: ${revision}, current: ${e.current}`);
      throw e;
    }
    const list: KList = { apiVersion: apiVersionOf(this.info.group, this.info.versions[0]!.version), kind: `${this.info.kind}List`, metadata: { resourceVersion: String(listRevision) }, items };
    if (more) {
      list.metadata.continue = encodeContinue(listRevision, lastKey.slice(prefix.length) + '\0');
      if (remaining !== undefined && remaining > 0) list.metadata.remainingItemCount = remaining;
    }
    return list;
  }

  /** Creates an object given in storage form (already converted). Returns the stored object. */
  async create(namespace: string, input: KObject, ctx: RequestContext): Promise<KObject> {
    const obj = input;
    const meta = (obj.metadata ??= {});
    if (this.info.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    // As upstream's SimpleNameGenerator: the prefix is cut to 58 characters, then 5 random ones.
    if (!meta.name && meta.generateName) meta.name = meta.generateName.slice(0, 58) + randomSuffix();
    if (!meta.name) throw invalid(this.info.group, this.info.kind, '', [fieldErrors.required('metadata.name', 'name or generateName is required')]);
    meta.uid = randomUUID();
    meta.creationTimestamp = nowRfc3339();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (this.strategy.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    this.strategy.prepareForCreate?.(obj);
    const custom = this.hooks.validation;
    if (custom) {
      custom.prepare(obj, undefined, '');
      this.throwIfInvalid(obj, custom.validate(obj, undefined, ''));
    } else {
      applyDefaults(this.info.group, this.info.kind, obj);
      this.throwIfInvalid(obj, validateCreate(this.info.group, this.info.kind, obj));
    }
    return this.serialized(obj, 'CREATE', '', () => this.admitAndCreate(namespace, obj, ctx));
  }

  private serialized<T>(obj: KObject, operation: 'CREATE' | 'UPDATE', subresource: string, write: () => Promise<T>): Promise<T> {
    return this.hooks.serialize ? this.hooks.serialize(obj, operation, subresource, write) : write();
  }

  private async admitAndCreate(namespace: string, obj: KObject, ctx: RequestContext): Promise<KObject> {
    const meta = obj.metadata as ObjectMeta & { name: string };
    await this.hooks.beforeCreate?.(obj, ctx);
    if (ctx.dryRun) {
      if (await this.tryGet(namespace, meta.name)) throw alreadyExists(this.ref, meta.name);
      await this.hooks.abortCreate?.(obj);
      return obj;
    }
    const key = this.key(namespace, meta.name);
    const value = JSON.stringify(obj);
    this.offer(key, value, obj);
    try {
      const kv = await this.backend.create(key, value);
      meta.resourceVersion = String(kv.modRevision);
      this.localWrites++;
      return obj;
    } catch (e) {
      this.currentSource?.withdraw?.(key, value);
      await this.hooks.abortCreate?.(obj);
      if (e instanceof KeyExistsError) throw alreadyExists(this.ref, meta.name);
      throw e;
    }
  }

  /**
   * Updates an object (storage form) with optimistic concurrency. `subresource` is '' or 'status'.
   * Returns the stored object and whether it was created (PUT on a missing object, where allowed).
   */
  async update(namespace: string, name: string, input: KObject, ctx: RequestContext, subresource = '', current?: Current): Promise<{ obj: KObject; created: boolean }> {
    const meta = (input.metadata ??= {});
    if (meta.name && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    meta.name = name;
    if (this.info.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = namespace;
    }
    const key = this.key(namespace, name);
    // `current`: the caller already read it (and the write is guarded by its revision all the same).
    const kv = current ? current.kv : await this.readKey(key);
    if (!kv) {
      if (!this.strategy.allowCreateOnUpdate || subresource) throw notFound(this.ref, name);
      delete meta.resourceVersion;
      return { obj: await this.create(namespace, input, ctx), created: true };
    }
    const old = current ? current.obj : decodeStored(kv.value, kv.modRevision);
    if (meta.resourceVersion) {
      if (meta.resourceVersion !== old.metadata.resourceVersion) throw staleConflict(this.ref, name);
    } else if (!this.strategy.allowUnconditionalUpdate) {
      throw invalid(this.info.group, this.info.kind, name, [fieldErrors.invalid('metadata.resourceVersion', '', 'must be specified for an update')]);
    }
    const obj = this.prepareUpdate(input, old, subresource, () => clone(old));
    const stored = await this.serialized(obj, 'UPDATE', subresource, async () => {
      await this.hooks.beforeUpdate?.(obj, old, ctx, subresource);
      return this.persistUpdate(key, obj, old, kv, ctx);
    });
    return { obj: stored, created: false };
  }

  /**
   * Read-modify-write with retries on conflicts (used by patch and scale). `mutate` receives a
   * private copy of the current object and returns the desired object.
   */
  async guaranteedUpdate(namespace: string, name: string, mutate: (cur: KObject) => KObject | Promise<KObject>, ctx: RequestContext, subresource = ''): Promise<KObject> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.readKey(key);
      if (!kv) throw notFound(this.ref, name);
      const old = decodeStored(kv.value, kv.modRevision);
      // A private copy (walking the parsed object is ~3x cheaper than parsing the text again).
      const desired = await mutate(clone(old));
      if (!isPlainObject(desired) || !isPlainObject(desired.metadata)) throw badRequest('the patch produced an object without metadata');
      const dm = desired.metadata;
      if (dm.name !== undefined && dm.name !== name) throw badRequest(`the name of the object (${String(dm.name)}) does not match the name on the URL (${name})`);
      dm.name = name;
      if (this.info.namespaced) dm.namespace = namespace;
      if (dm.resourceVersion && dm.resourceVersion !== old.metadata.resourceVersion) throw staleConflict(this.ref, name);
      const obj = this.prepareUpdate(desired, old, subresource, () => clone(old));
      try {
        return await this.serialized(obj, 'UPDATE', subresource, async () => {
          await this.hooks.beforeUpdate?.(obj, old, ctx, subresource);
          return this.persistUpdate(key, obj, old, kv, ctx);
        });
      } catch (e) {
        // Another write won the compare-and-swap: read again and redo, as upstream's GuaranteedUpdate
        // does (it has no limit: every lost round is someone else's progress). Other conflicts (from
        // admission hooks) get a few tries. A resourceVersion the client sent is checked again
        // against the fresh read above, so a precondition still fails with 409.
        const lostRace = e instanceof StatusError && storageConflicts.has(e);
        if (e instanceof StatusError && e.reason === 'Conflict' && attempt < (lostRace ? 1000 : 5)) continue;
        throw e;
      }
    }
  }

  /** Applies update semantics: immutable metadata, status separation, generation, defaults, validation. */
  private prepareUpdate(input: KObject, old: KObject, subresource: string, copyOfOld: () => KObject): KObject {
    let obj: KObject;
    if (subresource === 'status') {
      // Status writes change only status (upstream status strategies also keep spec and metadata).
      obj = copyOfOld();
      if (input.status === undefined) delete obj.status;
      else obj.status = input.status;
      // The field manager records status writers too (apiserver/apply.ts).
      if (input.metadata?.managedFields !== undefined) obj.metadata.managedFields = input.metadata.managedFields;
    } else {
      obj = input;
      // Main-resource writes keep the stored status; a binding (pods/binding) sets both at once,
      // and a CSR's approval writes conditions (its strategy keeps the rest).
      if (this.strategy.hasStatus && subresource !== 'binding' && subresource !== 'approval') {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
    }
    const m = obj.metadata;
    const om = old.metadata;
    m.uid = om.uid;
    m.creationTimestamp = om.creationTimestamp;
    if (om.deletionTimestamp) {
      m.deletionTimestamp = om.deletionTimestamp;
      if (om.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    } else {
      delete m.deletionTimestamp;
      delete m.deletionGracePeriodSeconds;
    }
    delete m.selfLink;
    if (this.strategy.tracksGeneration) {
      m.generation = om.generation ?? 1;
      if (subresource !== 'status' && specChanged(obj, old)) m.generation = (om.generation ?? 0) + 1;
    } else {
      delete m.generation;
    }
    this.strategy.prepareForUpdate?.(obj, old, subresource);
    const custom = this.hooks.validation;
    if (custom) {
      custom.prepare(obj, old, subresource);
      this.throwIfInvalid(obj, custom.validate(obj, old, subresource));
      return obj;
    }
    applyDefaults(this.info.group, this.info.kind, obj);
    // A binding may set spec.nodeName, which pod updates otherwise may not change.
    const errs = subresource === 'status' || subresource === 'binding' ? validateStatusUpdate(this.info.group, this.info.kind, obj, old) : validateUpdate(this.info.group, this.info.kind, obj, old);
    this.throwIfInvalid(obj, errs);
    return obj;
  }

  private async persistUpdate(key: string, obj: KObject, old: KObject, kv: StoredValue, ctx: RequestContext): Promise<KObject> {
    const name = obj.metadata.name!;
    // A deleting object whose last finalizer was removed is deleted now.
    if (obj.metadata.deletionTimestamp && !this.hasFinalizers(obj) && !this.waitsForGrace(obj)) {
      if (ctx.dryRun) return obj;
      try {
        const del = await this.backend.delete(key, kv.modRevision);
        obj.metadata.resourceVersion = String(del.modRevision);
        this.localWrites++;
        await this.hooks.afterDelete?.(obj);
        return obj;
      } catch (e) {
        throw this.mapWriteError(e, name);
      }
    }
    obj.metadata.resourceVersion = undefined;
    const value = JSON.stringify(obj);
    // The stored text is the old object as written (no resourceVersion): no second stringify.
    if (value === kv.value) {
      // No-op updates do not write (resourceVersion stays), as upstream.
      obj.metadata.resourceVersion = old.metadata.resourceVersion;
      return obj;
    }
    if (ctx.dryRun) {
      obj.metadata.resourceVersion = old.metadata.resourceVersion;
      return obj;
    }
    this.offer(key, value, obj);
    try {
      const nkv = await this.backend.update(key, value, kv.modRevision);
      obj.metadata.resourceVersion = String(nkv.modRevision);
      this.localWrites++;
      return obj;
    } catch (e) {
      this.currentSource?.withdraw?.(key, value);
      throw this.mapWriteError(e, name);
    }
  }

  /** metadata.finalizers, and for namespaces also spec.finalizers (the namespace controller's). */
  private hasFinalizers(obj: KObject): boolean {
    if (obj.metadata.finalizers?.length) return true;
    if (this.info.group === '' && this.info.resource === 'namespaces') {
      return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length ?? 0) > 0;
    }
    return false;
  }

  /** Pods with a pending graceful deletion stay until the kubelet confirms (grace 0). */
  private waitsForGrace(obj: KObject): boolean {
    return (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  private mapWriteError(e: unknown, name: string): unknown {
    if (e instanceof ConflictError) {
      const err = staleConflict(this.ref, name);
      storageConflicts.add(err);
      return err;
    }
    if (e instanceof KeyNotFoundError) return conflict(this.ref, name, 'StorageError: invalid object, Code: 4, Key: ' + e.key);
    return e;
  }

  private throwIfInvalid(obj: KObject, errs: FieldError[]): void {
    if (errs.length) throw invalid(this.info.group, this.info.kind, obj.metadata.name ?? '', errs);
  }

  /**
   * Deletes an object. With finalizers (or a graceful pod deletion) it only sets deletionTimestamp
   * and returns the object; otherwise removes it. Returns the object as it was last stored and
   * whether it is gone.
   */
  async delete(namespace: string, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<{ obj: KObject; gone: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.readKey(key);
      if (!kv) throw notFound(this.ref, name);
      const obj = decodeStored(kv.value, kv.modRevision);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        throw conflict(this.ref, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
        throw conflict(this.ref, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${obj.metadata.resourceVersion}`);
      }
      await this.hooks.beforeDelete?.(obj, ctx);
      const finalizers = [...(obj.metadata.finalizers ?? [])];
      const policy = opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : undefined);
      if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
      if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
      const grace = this.hooks.gracePeriod?.(obj, opts.gracePeriodSeconds) ?? 0;
      const pendingGrace = grace > 0 && !(obj.metadata.deletionTimestamp && (obj.metadata.deletionGracePeriodSeconds ?? 0) <= grace);
      const withFinalizers = finalizers.length > 0 || this.hasFinalizers(obj);
      if (withFinalizers || pendingGrace || (obj.metadata.deletionTimestamp && grace > 0)) {
        // Graceful: mark for deletion; finalizers' owners (or the kubelet) finish it.
        const upd = clone(obj);
        if (!upd.metadata.deletionTimestamp) upd.metadata.deletionTimestamp = nowRfc3339(grace);
        upd.metadata.deletionGracePeriodSeconds = grace;
        if (finalizers.length) upd.metadata.finalizers = finalizers;
        if (this.info.resource === 'namespaces' && this.info.group === '') {
          upd.status = { ...(isPlainObject(upd.status) ? upd.status : {}), phase: 'Terminating' };
        }
        if (ctx.dryRun) return { obj: upd, gone: false };
        if (JSON.stringify(upd) === JSON.stringify(obj)) return { obj, gone: false };
        upd.metadata.resourceVersion = undefined;
        try {
          const nkv = await this.backend.update(key, JSON.stringify(upd), kv.modRevision);
          upd.metadata.resourceVersion = String(nkv.modRevision);
          this.localWrites++;
          return { obj: upd, gone: false };
        } catch (e) {
          if (e instanceof ConflictError && attempt < 5) continue;
          throw this.mapWriteError(e, name);
        }
      }
      if (ctx.dryRun) return { obj, gone: true };
      try {
        const del = await this.backend.delete(key, kv.modRevision);
        obj.metadata.resourceVersion = String(del.modRevision);
        this.localWrites++;
        await this.hooks.afterDelete?.(obj);
        return { obj, gone: true };
      } catch (e) {
        if ((e instanceof ConflictError || e instanceof KeyNotFoundError) && attempt < 5) continue;
        throw this.mapWriteError(e, name);
      }
    }
  }

  /** Converts a stored object for a client of `version`. */
  output(obj: KObject, version: string): KObject {
    return fromStorage(this.info, version, obj);
  }
}

function specChanged(obj: KObject, old: KObject): boolean {
  for (const k of new Set([...Object.keys(obj), ...Object.keys(old)])) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (JSON.stringify(obj[k]) !== JSON.stringify(old[k])) return true;
  }
  return false;
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return s;
}

/** The current second as RFC 3339 (what upstream's metav1.Time holds), `plusSeconds` later. */
export function nowRfc3339(plusSeconds = 0): string {
  const second = Math.floor(Date.now() / 1000) + plusSeconds;
  // Every write stamps a time or two: format each second once.
  if (second !== lastSecond.value) lastSecond.text = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  lastSecond.value = second;
  return lastSecond.text;
}
const lastSecond = { value: NaN, text: '' };

function parseRv(rv: string): number {
  const n = Number(rv);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid resource version "${rv}"`);
  return n;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw badRequest('continue key is not valid: invalid continue token');
  }
}

export { internal };
