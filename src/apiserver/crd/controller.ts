// The CRD controller inside the API server: watches CustomResourceDefinitions through the watch
// cache and, per CRD (level-triggered, one at a time): checks its names against what is served,
// sets the NamesAccepted/Established conditions and acceptedNames, and (un)registers the custom
// resource's store, discovery entry and printer. On deletion it removes every custom object,
// unregisters the resource and drops the cleanup finalizer so the CRD itself goes.
import type { KObject } from '../../api/types.js';
import { clone, isPlainObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Backend } from '../../storage/backend.js';
import type { WatchCache } from '../watch-cache.js';
import type { RequestContext, StoreHooks } from '../registry/store.js';
import { Store, nowRfc3339 } from '../registry/store.js';
import { storeKey } from '../resource-handler.js';
import { resourcePrefix } from '../registry/keys.js';
import type { CrdCondition, CrdSpec, CrdStatus } from './types.js';
import { CRD_GROUP, CRD_RESOURCE } from './types.js';
import { CLEANUP_FINALIZER } from './crd-store.js';
import { customSchemaName, customValidation, resourceInfoOf, storageVersion } from './resource.js';
import { setCustomPrinter } from './printer.js';
import { registerCustomSchemas } from './decode-check.js';
import { registerScalePaths } from './scale.js';
import { registerOpenAPIType } from '../../api/managed-fields/openapi-types.js';
import type { OpenAPIType } from '../../api/managed-fields/openapi-types.js';

export interface CrdControllerDeps {
  /** The served resources (shared with discovery; custom ones are added and removed here). */
  resources: ResourceInfo[];
  /** Called after `resources` changed (discovery recomputes its groups). */
  onResourcesChanged(): void;
  stores: Map<string, Store>;
  cache: WatchCache;
  backend: Backend;
  /** The built-in admission hooks for a resource (namespace lifecycle, admission chain). */
  hooksFor(info: ResourceInfo): StoreHooks;
  /** Reports failed reconciles (they are retried). */
  log?(message: string): void;
}

interface Served {
  info: ResourceInfo;
  spec: CrdSpec;
  /** JSON of what the registration depends on, to notice changes. */
  fingerprint: string;
}

const CTX = (): RequestContext => ({ user: { name: 'system:apiserver', groups: ['system:masters'] }, dryRun: false, warnings: [] });

export class CrdController {
  private readonly served = new Map<string, Served>();
  private readonly queue = new Set<string>();
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: CrdControllerDeps) {}

  private get crdStore(): Store {
    return this.deps.stores.get(storeKey(CRD_GROUP, CRD_RESOURCE))!;
  }

  /** Registers every stored CRD, then follows changes until the signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const prefix = resourcePrefix({ group: CRD_GROUP, resource: CRD_RESOURCE });
    const sub = this.deps.cache.subscribe(
      prefix,
      this.deps.cache.revision,
      (events) => {
        for (const e of events) this.enqueue(e.key.slice(prefix.length));
      },
      // The cache lost storage's history: look at every CRD again, and at every one served.
      () => {
        for (const name of this.served.keys()) this.enqueue(name);
        this.crdStore.list('', {}).then(
          (list) => list.items.forEach((crd) => this.enqueue(crd.metadata.name!)),
          (e) => this.deps.log?.(`crd controller: listing after a watch cache reset: ${(e as Error).message}`),
        );
      },
    );
    signal.addEventListener('abort', () => {
      this.stopped = true;
      sub?.cancel();
    }, { once: true });
    const list = await this.crdStore.list('', {});
    for (const crd of list.items) this.enqueue(crd.metadata.name!);
    await this.idle;
  }

  /** The custom resources served now, with their CRD specs (for the OpenAPI documents). */
  servedCustom(): { info: ResourceInfo; spec: CrdSpec }[] {
    return [...this.served.values()].map((s) => ({ info: s.info, spec: s.spec }));
  }

  /** Resolves when every queued CRD has been reconciled (for tests). */
  settled(): Promise<void> {
    return this.idle;
  }

  private enqueue(name: string): void {
    if (this.stopped) return;
    this.queue.add(name);
    if (this.running) return;
    this.running = true;
    this.idle = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.size) {
        const name = this.queue.values().next().value as string;
        this.queue.delete(name);
        try {
          await this.reconcile(name);
        } catch (e) {
          this.deps.log?.(`crd controller: reconciling ${name} failed, retrying: ${e instanceof Error ? e.message : String(e)}`);
          // Level-triggered: retry shortly (a conflict with a concurrent write, a transient error).
          setTimeout(() => this.enqueue(name), 500).unref();
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async reconcile(name: string): Promise<void> {
    const crd = await this.crdStore.tryGet('', name);
    if (!crd) return this.unregister(name);
    const spec = (isPlainObject(crd.spec) ? crd.spec : {}) as CrdSpec;
    if (crd.metadata.deletionTimestamp) return this.finalize(crd, spec);
    const conflict = this.namesConflict(name, spec);
    if (conflict) {
      this.unregister(name);
      await this.setStatus(name, [
        cond('NamesAccepted', 'False', 'MultipleNamesConflict', conflict),
        cond('Established', 'False', 'NotAccepted', 'not all names are accepted'),
      ], undefined, spec);
      return;
    }
    this.register(name, spec);
    await this.setStatus(name, [
      cond('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'),
      cond('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ], spec.names, spec);
  }

  /** Upstream's names controller: plural and kind must be unique within the group. */
  private namesConflict(name: string, spec: CrdSpec): string | undefined {
    const mine = this.served.get(name)?.info;
    for (const r of this.deps.resources) {
      if (r === mine || r.group !== spec.group) continue;
      if (r.resource === spec.names?.plural) return `"${r.resource}" is already in use`;
      if (r.kind === spec.names?.kind) return `"${r.kind}" is already in use`;
    }
    return undefined;
  }

  private register(name: string, spec: CrdSpec): void {
    const info = resourceInfoOf(spec);
    const columns = storageVersion(spec)?.additionalPrinterColumns;
    const fingerprint = JSON.stringify({ info, columns });
    const cur = this.served.get(name);
    if (cur) {
      const specChanged = JSON.stringify(cur.spec) !== JSON.stringify(spec);
      cur.spec = spec;
      if (cur.fingerprint === fingerprint) {
        if (specChanged) this.deps.onResourcesChanged();
        return;
      }
      this.unregister(name);
    }
    const entry: Served = { info, spec, fingerprint };
    const hooks: StoreHooks = { ...this.deps.hooksFor(info), validation: customValidation(() => entry.spec, info.namespaced) };
    const store = new Store(info, this.deps.backend, hooks);
    store.readCurrentFrom(this.deps.cache);
    // Custom resources track generation; with a status subresource, status is dropped on create.
    store.strategy.tracksGeneration = true;
    store.strategy.allowUnconditionalUpdate = true;
    store.strategy.prepareForCreate = store.strategy.hasStatus ? (obj) => void delete obj.status : undefined;
    setCustomPrinter(info, columns);
    registerScalePaths(info, () => storageVersion(entry.spec)?.subresources?.scale);
    registerCustomSchemas(info, {
      schemaOf: (version) => (entry.spec.versions ?? []).find((v) => v.name === version)?.schema?.openAPIV3Schema,
      preserveUnknown: () => entry.spec.preserveUnknownFields === true,
    });
    // Server-side apply merges custom objects by the schema's list types and map keys.
    for (const v of spec.versions ?? []) registerOpenAPIType(customSchemaName(info.group, v.name!, info.kind), v.schema?.openAPIV3Schema as OpenAPIType | undefined);
    this.served.set(name, entry);
    this.deps.stores.set(storeKey(info.group, info.resource), store);
    this.deps.resources.push(info);
    this.deps.onResourcesChanged();
  }

  private unregister(name: string): void {
    const cur = this.served.get(name);
    if (!cur) return;
    this.served.delete(name);
    for (const v of cur.info.versions) registerOpenAPIType(v.schema, undefined);
    const key = storeKey(cur.info.group, cur.info.resource);
    if (this.deps.stores.get(key)?.info === cur.info) this.deps.stores.delete(key);
    const i = this.deps.resources.indexOf(cur.info);
    if (i >= 0) this.deps.resources.splice(i, 1);
    this.deps.onResourcesChanged();
  }

  /** Deletes every custom object, unregisters the resource, then releases the CRD. */
  private async finalize(crd: KObject, spec: CrdSpec): Promise<void> {
    const name = crd.metadata.name!;
    if (!(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) return this.unregister(name);
    await this.setStatus(name, [cond('Terminating', 'True', 'InstanceDeletionInProgress', 'CustomResource deletion is in progress')], undefined, spec);
    // A store of its own, so a CRD that was never served here (restart mid-deletion) is cleaned too.
    const store = spec.group && spec.names?.plural && spec.names.kind ? new Store(resourceInfoOf(spec), this.deps.backend) : undefined;
    this.unregister(name);
    if (store) {
      const items = (await store.list('', {})).items;
      for (const item of items) {
        try {
          await store.delete(store.namespaceOf(item), item.metadata.name!, {}, CTX());
        } catch {
          // Already gone, or held by its own finalizers: deleting the CRD does not wait for them.
        }
      }
    }
    await this.crdStore.guaranteedUpdate('', name, (cur) => {
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
      if (!cur.metadata.finalizers.length) delete cur.metadata.finalizers;
      return cur;
    }, CTX());
  }

  private async setStatus(name: string, conds: CrdCondition[], accepted: CrdSpec['names'], spec: CrdSpec): Promise<void> {
    await this.crdStore.guaranteedUpdate('', name, (cur) => {
      const status = (isPlainObject(cur.status) ? clone(cur.status) : {}) as CrdStatus;
      const list = status.conditions ?? [];
      for (const c of conds) {
        const old = list.find((x) => x.type === c.type);
        if (old && old.status === c.status && old.reason === c.reason && old.message === c.message) continue;
        if (old) Object.assign(old, c);
        else list.push(c);
      }
      status.conditions = list;
      if (accepted) status.acceptedNames = clone(accepted);
      else status.acceptedNames ??= { plural: '', kind: '' };
      const sv = storageVersion(spec)?.name;
      const stored = status.storedVersions ?? [];
      if (sv && !stored.includes(sv)) stored.push(sv);
      status.storedVersions = stored;
      cur.status = status;
      return cur;
    }, CTX(), 'status');
  }
}

function cond(type: string, status: string, reason: string, message: string): CrdCondition {
  return { type, status, lastTransitionTime: nowRfc3339(), reason, message };
}
