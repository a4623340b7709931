// Server-side apply (PATCH application/apply-patch+yaml) and the managedFields bookkeeping every
// create, update and patch does, as upstream's FieldManager: the manager is the fieldManager
// query parameter or the User-Agent's product name; identity metadata (name, uid, ...) and, on
// resources with a status subresource, status are never owned through the main resource.
import type { IncomingMessage } from 'node:http';
import type { KObject } from '../api/types.js';
import { isPlainObject } from '../api/types.js';
import { StatusError, badRequest, fieldErrors, invalid } from '../api/errors.js';
import type { FieldSet } from '../api/managed-fields/field-set.js';
import { pathString } from '../api/managed-fields/field-set.js';
import { compare, typeOf, toFieldSet } from '../api/managed-fields/typed.js';
import type { TypeNode } from '../api/managed-fields/typed.js';
import { ApplyConflicts, applyManagers, conflictMessage, decodeManagers, encodeManagers, printManager, updateManagers } from '../api/managed-fields/managers.js';
import type { Manager, Workflow } from '../api/managed-fields/managers.js';
import type { RequestInfo } from './request-info.js';
import type { RequestContext, Store } from './registry/store.js';
import { nowRfc3339 } from './registry/store.js';
import { toStorage } from './registry/convert.js';
import { checkObject, fieldValidationOf } from './decode.js';
import type { DecodeTarget } from './decode.js';
import { decodeDocument, readBody } from './body.js';

/** Metadata that identifies or versions an object; upstream strips it before tracking fields. */
const IDENTITY_META = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'generation', 'managedFields', 'resourceVersion'];

/** The manager of a request: fieldManager, else the User-Agent up to its first '/'. */
export function managerOf(req: IncomingMessage, ctx: RequestContext): string {
  if (ctx.fieldManager) return ctx.fieldManager;
  const ua = req.headers['user-agent'] ?? '';
  return ua.split('/')[0] ?? ua;
}

export function validateFieldManager(query: URLSearchParams): void {
  const fm = query.get('fieldManager');
  if (fm !== null && fm.length > 128) {
    throw invalid('meta.k8s.io', 'PatchOptions', '', [fieldErrors.invalid('fieldManager', fm, 'must be less than or equal to 128 characters')]);
  }
}

const IDENTITY_META_SET = new Set(IDENTITY_META);

/** The part of an object whose fields are tracked (a shallow copy; nested values are shared). */
function tracked(obj: KObject | undefined, hasStatus: boolean): Record<string, unknown> | undefined {
  if (!obj) return undefined;
  // Copied key by key rather than spread and deleted from (deleting makes slow objects).
  const out: Record<string, unknown> = {};
  for (const k in obj) {
    if (k === 'apiVersion' || k === 'kind' || (hasStatus && k === 'status')) continue;
    const v = (obj as Record<string, unknown>)[k];
    if (k !== 'metadata' || !isPlainObject(v)) {
      out[k] = v;
      continue;
    }
    const m: Record<string, unknown> = {};
    let any = false;
    for (const mk in v) {
      if (IDENTITY_META_SET.has(mk)) continue;
      m[mk] = v[mk];
      any = true;
    }
    if (any) out.metadata = m;
  }
  return out;
}

function typeFor(target: DecodeTarget): TypeNode {
  return typeOf(target.schema);
}

/**
 * Records an Update operation on `next` (in the client's version): `live` is the stored object in
 * the same version, or undefined on create. Managed fields the client sent replace the live ones
 * (so clients can edit them, as kubectl's client-side to server-side apply migration does).
 */
export function trackUpdate(req: IncomingMessage, ctx: RequestContext, store: Store, target: DecodeTarget, live: KObject | undefined, next: KObject, subresource = ''): void {
  const raw = next.metadata?.managedFields;
  const sent = decodeManagers(raw);
  // `[{}]` strips managedFields (upstream's documented reset); `[]` or nothing keeps the live ones.
  const reset = Array.isArray(raw) && raw.length > 0 && raw.every((e) => isPlainObject(e) && Object.keys(e).length === 0);
  const base = sent.length || reset ? sent : decodeManagers(live?.metadata.managedFields);
  const w: Workflow = { manager: managerOf(req, ctx), apiVersion: next.apiVersion ?? '', subresource };
  const hasStatus = store.strategy.hasStatus;
  // Through /status only status is written (and owned); through the main resource everything else.
  const view = subresource === 'status' ? (o: KObject | undefined) => (o ? { status: o.status } : undefined) : (o: KObject | undefined) => tracked(o, hasStatus);
  const managers = updateManagers(base, w, view(live), view(next), typeFor(target));
  setManagers(next, managers);
}

function setManagers(obj: KObject, managers: Manager[]): void {
  const encoded = encodeManagers(managers, nowRfc3339());
  obj.metadata ??= {};
  if (encoded.length) obj.metadata.managedFields = encoded;
  else delete obj.metadata.managedFields;
}

function conflictError(e: ApplyConflicts): StatusError {
  const causes = e.conflicts.map((c) => ({ type: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  return new StatusError(409, 'Conflict', conflictMessage(e.conflicts), { causes });
}

/** PATCH with application/apply-patch+yaml: creates the object when missing (created: true). */
export async function applyPatch(req: IncomingMessage, query: URLSearchParams, ctx: RequestContext, store: Store, target: DecodeTarget, ri: RequestInfo): Promise<{ obj: KObject; created: boolean }> {
  const fm = query.get('fieldManager');
  if (!fm) throw invalid('meta.k8s.io', 'PatchOptions', '', [fieldErrors.required('fieldManager', 'is required for apply patch')]);
  const forceRaw = query.get('force');
  const force = forceRaw === 'true';
  const fv = fieldValidationOf(query);
  // The body is YAML (JSON is YAML too).
  const { value } = decodeDocument(await readBody(req), 'yaml');
  if (!isPlainObject(value)) throw badRequest('error decoding YAML: the apply configuration must be an object');
  const config = checkObject(value, target, fv, ctx.warnings);
  if (config.metadata.name && config.metadata.name !== ri.name) throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${ri.name})`);
  const info = store.info;
  const hasStatus = store.strategy.hasStatus;
  const t = typeFor(target);
  const cfg = tracked(config, hasStatus)!;
  const configSet: FieldSet = toFieldSet(cfg, t);
  const w: Workflow = { manager: fm, apiVersion: config.apiVersion ?? '', subresource: '' };
  const preconditionRv = config.metadata.resourceVersion;
  const build = (live: KObject | undefined): KObject => {
    try {
      const run = (f: boolean) => applyManagers(decodeManagers(live?.metadata.managedFields), w, tracked(live, hasStatus) ?? {}, cfg, configSet, t, f);
      let result: ReturnType<typeof run>;
      try {
        result = run(force);
      } catch (e) {
        // kubectl's first server-side apply after client-side ones: conflicts on fields whose live
        // value is still the last-applied one are taken over (upstream's lastAppliedManager).
        if (!(e instanceof ApplyConflicts) || fm !== 'kubectl' || !live) throw e;
        const allowed = allowedFromLastApplied(live, hasStatus, t);
        if (!allowed) throw e;
        const rest = e.conflicts.filter((c) => !memberAt(allowed, c.path));
        if (rest.length) throw new ApplyConflicts(rest);
        result = run(true);
      }
      const { merged, managers } = result;
      const out = merged as KObject;
      const meta = { ...(isPlainObject(out.metadata) ? out.metadata : {}) } as KObject['metadata'];
      const src = live?.metadata ?? {};
      for (const k of IDENTITY_META) {
        const v = (src as Record<string, unknown>)[k];
        if (v !== undefined) (meta as Record<string, unknown>)[k] = v;
      }
      meta.name = ri.name;
      if (info.namespaced) meta.namespace = ri.namespace;
      if (preconditionRv) meta.resourceVersion = preconditionRv;
      else delete meta.resourceVersion;
      out.metadata = meta;
      out.apiVersion = config.apiVersion;
      out.kind = config.kind;
      if (hasStatus && live?.status !== undefined) out.status = live.status;
      setManagers(out, managers);
      // kubectl keeps a client-side apply annotation in step (upstream's lastAppliedUpdater).
      if (fm === 'kubectl' && live && lastAppliedOf(live) !== undefined) setLastApplied(out, config);
      return out;
    } catch (e) {
      if (e instanceof ApplyConflicts) throw conflictError(e);
      throw e;
    }
  };
  const existing = await store.get(ri.namespace, ri.name).catch((e: unknown) => {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw e;
  });
  if (!existing) {
    if (preconditionRv) throw new StatusError(404, 'NotFound', `${info.group ? `${info.resource}.${info.group}` : info.resource} "${ri.name}" not found`, { name: ri.name, group: info.group || undefined, kind: info.resource });
    const obj = build(undefined);
    delete obj.metadata.resourceVersion;
    // The stored form gets the status the client applied, as a create does.
    if (config.status !== undefined) obj.status = config.status;
    try {
      return { obj: await store.create(info.namespaced ? ri.namespace : '', toStorage(info, target.version, obj), ctx), created: true };
    } catch (e) {
      // Someone created it meanwhile: apply to theirs.
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    }
  }
  const obj = await store.guaranteedUpdate(ri.namespace, ri.name, (cur) => toStorage(info, target.version, build(store.output(cur, target.version))), ctx);
  return { obj, created: false };
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function lastAppliedOf(obj: KObject): string | undefined {
  const v = obj.metadata.annotations?.[LAST_APPLIED];
  return v ? v : undefined;
}

/** Fields of the last-applied configuration whose live value is still the applied one. */
function allowedFromLastApplied(live: KObject, hasStatus: boolean, t: TypeNode): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (!text) return undefined;
  let last: unknown;
  try { last = JSON.parse(text); } catch { return undefined; }
  if (!isPlainObject(last)) return undefined;
  const lastTracked = tracked(last as KObject, hasStatus) ?? {};
  const liveTracked = tracked(live, hasStatus) ?? {};
  return toFieldSet(lastTracked, t).difference(compare(lastTracked, liveTracked, t).modified);
}

function memberAt(set: FieldSet, path: readonly string[]): boolean {
  let n: FieldSet | undefined = set;
  for (const p of path) n = n?.get(p);
  return !!n?.member;
}

/** The applied configuration as the annotation (sorted keys and a newline, as Go encodes it). */
function setLastApplied(out: KObject, config: KObject): void {
  const copy = JSON.parse(JSON.stringify(config)) as KObject;
  if (copy.metadata?.annotations) delete copy.metadata.annotations[LAST_APPLIED];
  out.metadata.annotations = { ...(out.metadata.annotations ?? {}), [LAST_APPLIED]: `${JSON.stringify(sortKeys(copy))}\n` };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}
