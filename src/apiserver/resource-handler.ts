// Serves resource requests (/api/v1/..., /apis/<group>/<version>/...): CRUD, patch, watch and
// subresources, translating between the client's version and storage and writing Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KObject } from '../api/types.js';
import { clone, isPlainObject } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import { StatusError, badRequest, methodNotAllowed, notFound, conflict, invalid, fieldErrors } from '../api/errors.js';
import { schemas, structOf } from '../api/schema/index.js';
import { applyJsonPatch } from '../api/patch/json-patch.js';
import { applyMergePatch } from '../api/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../api/patch/strategic-merge.js';
import { selectorFromLabelSelector } from '../api/selectors/label-selector.js';
import type { RequestInfo } from './request-info.js';
import type { RequestContext, DeleteOptions, Store } from './registry/store.js';
import { nowRfc3339 } from './registry/store.js';
import { toStorage } from './registry/convert.js';
import { buildFilter } from './registry/filter.js';
import { checkObject, fieldValidationOf, readObject } from './decode.js';
import type { DecodeTarget, FieldValidation } from './decode.js';
import { decodeDocument, mediaType, readBody } from './body.js';
import { addWarnings, negotiate, writeJson } from './respond.js';
import type { OutputFormat } from './respond.js';
import { toTable } from './table.js';
import { serveWatch } from './watch.js';
import type { WatchCache } from './watch-cache.js';
import { evictPod } from './admission/eviction.js';
import { customScale, setCustomReplicas } from './crd/scale.js';
import { applyPatch, trackUpdate, validateFieldManager } from './apply.js';
import type { ServiceAccountTokens } from './service-account-tokens.js';
import { decodeProtobufBody, PROTOBUF_MEDIA_TYPE } from '../api/protobuf/index.js';
import { admitNodeTokenRequest } from './authz/node-restriction.js';

export interface ResourceDeps {
  stores: Map<string, Store>;
  cache: WatchCache;
  /** Issues service account tokens (serviceaccounts/token); absent: the subresource is refused. */
  serviceAccountTokens?: ServiceAccountTokens;
}

export function storeKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

export async function handleResource(req: IncomingMessage, res: ServerResponse, ri: RequestInfo, query: URLSearchParams, ctx: RequestContext, deps: ResourceDeps, signal: AbortSignal): Promise<void> {
  const store = deps.stores.get(storeKey(ri.group, ri.resource));
  if (!store || !store.info.versions.some((v) => v.version === ri.version)) {
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', { group: ri.group || undefined, kind: ri.resource });
  }
  const info = store.info;
  if (!info.namespaced && ri.namespace) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  const dry = query.getAll('dryRun');
  for (const d of dry) if (d !== 'All') throw badRequest(`dryRun: Unsupported value: "${d}": supported values: "All"`);
  ctx.dryRun = dry.includes('All');
  validateFieldManager(query);
  ctx.fieldManager = query.get('fieldManager') ?? undefined;
  const out = negotiate(req.headers.accept, query);
  const version = ri.version;
  const target: DecodeTarget = { info, version, schema: info.versions.find((v) => v.version === version)!.schema, kind: info.kind, group: info.group };
  const respond = (code: number, obj: KObject) => {
    addWarnings(res, ctx.warnings);
    writeObject(res, code, info, store.output(obj, version), out);
  };

  if (ri.subresource) return handleSubresource(req, res, ri, query, ctx, store, target, out, deps);

  switch (ri.verb) {
    case 'get':
      return respond(200, await store.get(ri.namespace, ri.name));
    case 'list':
      return serveList(res, store, ri, query, out, version);
    case 'watch':
      return serveWatch(req, res, { store, cache: deps.cache, namespace: ri.namespace, name: ri.name, query, out, version, signal });
    case 'create': {
      if (ri.name) throw methodNotAllowed(`POST is not allowed on a named ${info.resource} resource`);
      const obj = await readObject(req, target, fieldValidationOf(query), ctx.warnings);
      const ns = ri.namespace || obj.metadata.namespace || '';
      if (info.namespaced && !ns) throw badRequest('the namespace of the object is required');
      trackUpdate(req, ctx, store, target, undefined, obj);
      const created = await store.create(info.namespaced ? ns : '', toStorage(info, version, obj), ctx);
      return respond(201, created);
    }
    case 'update': {
      const obj = await readObject(req, target, fieldValidationOf(query), ctx.warnings);
      const live = await store.readCurrent(ri.namespace, ri.name);
      trackUpdate(req, ctx, store, target, live && store.output(live.obj, version), obj);
      const r = await store.update(ri.namespace, ri.name, toStorage(info, version, obj), ctx, '', live);
      return respond(r.created ? 201 : 200, r.obj);
    }
    case 'patch': {
      if (mediaType(req.headers['content-type']) === 'application/apply-patch+yaml') {
        const r = await applyPatch(req, query, ctx, store, target, ri);
        return respond(r.created ? 201 : 200, r.obj);
      }
      const obj = await patchObject(req, query, ctx, store, target, ri, '');
      return respond(200, obj);
    }
    case 'delete': {
      const opts = await readDeleteOptions(req, query);
      if (opts.dryRun?.includes('All')) ctx.dryRun = true;
      const r = await store.delete(ri.namespace, ri.name, opts, ctx);
      addWarnings(res, ctx.warnings);
      if (r.gone && !store.strategy.returnDeletedObject) {
        return writeJson(res, 200, successStatus(info, r.obj));
      }
      return writeObject(res, r.gone ? 200 : 202, info, store.output(r.obj, version), out);
    }
    case 'deletecollection': {
      const opts = await readDeleteOptions(req, query);
      if (opts.dryRun?.includes('All')) ctx.dryRun = true;
      const list = await store.list(ri.namespace, { filter: buildFilter(info, query.get('labelSelector'), query.get('fieldSelector'), (o) => store.output(o, version)) });
      const items: KObject[] = [];
      for (const item of list.items) {
        try {
          const r = await store.delete(store.namespaceOf(item), item.metadata.name!, opts, ctx);
          items.push(store.output(r.obj, version));
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      }
      return writeJson(res, 200, { apiVersion: items[0]?.apiVersion ?? target.group, kind: `${info.kind}List`, metadata: {}, items });
    }
    default:
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

function successStatus(info: ResourceInfo, obj: KObject): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: obj.metadata.name, group: info.group || undefined, kind: info.resource, uid: obj.metadata.uid } };
}

function writeObject(res: ServerResponse, code: number, info: ResourceInfo, obj: KObject, out: OutputFormat): void {
  if (out.type === 'table') {
    writeJson(res, code, toTable(info, [obj], { resourceVersion: obj.metadata.resourceVersion }, out.includeObject));
  } else writeJson(res, code, obj, out.type === 'yaml' ? 'yaml' : 'json');
}

async function serveList(res: ServerResponse, store: Store, ri: RequestInfo, query: URLSearchParams, out: OutputFormat, version: string): Promise<void> {
  const limitRaw = query.get('limit');
  const limit = limitRaw ? Number(limitRaw) : 0;
  if (limitRaw && (!Number.isInteger(limit) || limit < 0)) throw badRequest(`invalid limit "${limitRaw}"`);
  const list = await store.list(ri.namespace, {
    filter: buildFilter(store.info, query.get('labelSelector'), query.get('fieldSelector'), (o) => store.output(o, version)),
    limit,
    continue: query.get('continue') ?? undefined,
    resourceVersion: query.get('resourceVersion') ?? undefined,
    resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
  });
  const items = list.items.map((o) => store.output(o, version));
  if (out.type === 'table') return writeJson(res, 200, toTable(store.info, items, list.metadata as Record<string, unknown>, out.includeObject));
  const apiVersion = store.info.group ? `${store.info.group}/${version}` : version;
  writeJson(res, 200, { apiVersion, kind: `${store.info.kind}List`, metadata: list.metadata, items }, out.type === 'yaml' ? 'yaml' : 'json');
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** Applies a PATCH body to the stored object (in the client's version) and stores the result. */
async function patchObject(req: IncomingMessage, query: URLSearchParams, ctx: RequestContext, store: Store, target: DecodeTarget, ri: RequestInfo, subresource: string): Promise<KObject> {
  const mt = mediaType(req.headers['content-type']);
  if (!PATCH_TYPES.includes(mt)) {
    throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
  }
  if (mt === 'application/strategic-merge-patch+json' && !schemas.has(target.schema)) {
    // Custom resources have no patch strategies (upstream: CRs accept json, merge and apply patches).
    throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  }
  if (mt === 'application/apply-patch+yaml') {
    // Apply to subresources (status) is not tracked yet: managedFields live in the main resource.
    throw new StatusError(415, 'UnsupportedMediaType', `server-side apply to the ${subresource} subresource is not supported by this kts version yet`);
  }
  if (query.get('force') !== null) throw invalid('meta.k8s.io', 'PatchOptions', '', [fieldErrors.forbidden('force', 'may not be specified for non-apply patch')]);
  const fv: FieldValidation = fieldValidationOf(query);
  const body = await readBody(req);
  const { value: patch } = decodeDocument(body, 'json');
  const info = store.info;
  return store.guaranteedUpdate(
    ri.namespace,
    ri.name,
    (cur) => {
      const current = store.output(cur, target.version);
      let patched: unknown;
      if (mt === 'application/json-patch+json') patched = applyJsonPatch(current, patch);
      else if (mt === 'application/merge-patch+json') patched = applyMergePatch(current, patch);
      else patched = applyStrategicMergePatch(current, patch, target.schema, structOf);
      const obj = checkObject(patched, target, fv, ctx.warnings);
      if (!subresource || subresource === 'status') trackUpdate(req, ctx, store, target, current, obj, subresource);
      return toStorage(info, target.version, obj);
    },
    ctx,
    subresource,
  );
}

async function readDeleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions> {
  const buf = await readBody(req);
  let opts: DeleteOptions = {};
  if (buf.length > 0) {
    const { value } = decodeDocument(buf, mediaType(req.headers['content-type']) === 'application/yaml' ? 'yaml' : 'json');
    if (!isPlainObject(value)) throw badRequest('DeleteOptions must be an object');
    opts = value as DeleteOptions;
  }
  const g = query.get('gracePeriodSeconds');
  if (g !== null) {
    const n = Number(g);
    if (!Number.isInteger(n)) throw badRequest(`invalid gracePeriodSeconds "${g}"`);
    opts.gracePeriodSeconds = n;
  }
  const p = query.get('propagationPolicy');
  if (p !== null) opts.propagationPolicy = p as DeleteOptions['propagationPolicy'];
  if (opts.propagationPolicy && !['Background', 'Foreground', 'Orphan'].includes(opts.propagationPolicy)) {
    throw badRequest(`DeleteOptions.propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Background", "Foreground", "Orphan"`);
  }
  if (query.get('orphanDependents') === 'true') opts.orphanDependents = true;
  for (const d of query.getAll('dryRun')) (opts.dryRun ??= []).push(d);
  return opts;
}

// --- subresources -------------------------------------------------------------------------------

async function handleSubresource(req: IncomingMessage, res: ServerResponse, ri: RequestInfo, query: URLSearchParams, ctx: RequestContext, store: Store, target: DecodeTarget, out: OutputFormat, deps: ResourceDeps): Promise<void> {
  const info = store.info;
  const sub = ri.subresource;
  if (!(info.subresources ?? []).includes(sub)) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  const respond = (code: number, obj: KObject) => {
    addWarnings(res, ctx.warnings);
    writeObject(res, code, info, store.output(obj, ri.version), out);
  };
  // A CSR's approval is written like its status (the strategy decides what each may change).
  if (sub === 'status' || sub === 'approval') {
    if (ri.verb === 'get') return respond(200, await store.get(ri.namespace, ri.name));
    if (ri.verb === 'update') {
      const obj = await readObject(req, target, fieldValidationOf(query), ctx.warnings);
      const live = await store.readCurrent(ri.namespace, ri.name);
      if (!live) await store.get(ri.namespace, ri.name); // 404 NotFound, worded by the store
      trackUpdate(req, ctx, store, target, live && store.output(live.obj, ri.version), obj, sub);
      return respond(200, (await store.update(ri.namespace, ri.name, toStorage(info, ri.version, obj), ctx, sub, live)).obj);
    }
    if (ri.verb === 'patch') return respond(200, await patchObject(req, query, ctx, store, target, ri, sub));
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
  if (sub === 'scale') return handleScale(req, res, ri, query, ctx, store);
  if (sub === 'finalize' && info.resource === 'namespaces') {
    if (ri.verb !== 'update') throw methodNotAllowed('the server does not allow this method on the requested resource');
    const obj = await readObject(req, target, fieldValidationOf(query), ctx.warnings);
    const finalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    const updated = await store.guaranteedUpdate(ri.namespace, ri.name, (cur) => {
      cur.spec = { ...(isPlainObject(cur.spec) ? cur.spec : {}), finalizers };
      return cur;
    }, ctx, 'finalize');
    // The store deletes the namespace once no finalizers remain.
    return respond(200, updated);
  }
  if (sub === 'binding' && info.resource === 'pods') {
    if (ri.verb !== 'create') throw methodNotAllowed('the server does not allow this method on the requested resource');
    const bTarget: DecodeTarget = { info, version: 'v1', schema: 'io.k8s.api.core.v1.Binding', kind: 'Binding', group: '' };
    const binding = await readObject(req, bTarget, fieldValidationOf(query), ctx.warnings);
    const node = (binding.target as { name?: string } | undefined)?.name;
    if (!node) throw badRequest('Binding target name is required');
    // One write: spec.nodeName and the PodScheduled condition, as the binding REST does.
    await store.guaranteedUpdate(ri.namespace, ri.name, (pod) => {
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) throw conflict(store.ref, ri.name, 'pod is being deleted, cannot be assigned to a host');
      if (spec.nodeName) throw conflict(store.ref, ri.name, `pod ${ri.name} is already assigned to node "${spec.nodeName}"`);
      if (binding.metadata.uid && binding.metadata.uid !== pod.metadata.uid) throw conflict(store.ref, ri.name, `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${pod.metadata.uid}`);
      spec.nodeName = node;
      pod.spec = spec;
      const status = (isPlainObject(pod.status) ? pod.status : {}) as { conditions?: { type: string }[] };
      const conds = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRfc3339() } as { type: string });
      status.conditions = conds;
      pod.status = status;
      return pod;
    }, ctx, 'binding');
    return writeJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }
  if (sub === 'eviction' && info.resource === 'pods') {
    if (ri.verb !== 'create') throw methodNotAllowed('the server does not allow this method on the requested resource');
    const eTarget: DecodeTarget = { info, version: 'v1', schema: 'io.k8s.api.policy.v1.Eviction', kind: 'Eviction', group: 'policy' };
    const ev = await readObject(req, eTarget, fieldValidationOf(query), ctx.warnings);
    if (ev.metadata.name && ev.metadata.name !== ri.name) throw badRequest(`name in URL does not match name in Eviction object`);
    const opts = (isPlainObject(ev.deleteOptions) ? ev.deleteOptions : {}) as DeleteOptions;
    // Dry run from the query or the Eviction's deleteOptions; both given must agree (upstream).
    const bodyDry = opts.dryRun ?? [];
    const dry = query.getAll('dryRun');
    if (bodyDry.length && dry.length && JSON.stringify(bodyDry) !== JSON.stringify(dry)) {
      throw badRequest(`Non-matching dry-run options in request and content: [${dry.join(' ')}] and [${bodyDry.join(' ')}]`);
    }
    if (bodyDry.includes('All')) ctx.dryRun = true;
    const result = await evictPod(deps.stores, ri.namespace, ri.name, opts, ctx);
    if (!result.ok) return writeJson(res, 500, result.status);
    return writeJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }
  if (sub === 'token' && info.resource === 'serviceaccounts') {
    if (ri.verb !== 'create') throw methodNotAllowed('the server does not allow this method on the requested resource');
    if (!deps.serviceAccountTokens) throw new StatusError(503, 'ServiceUnavailable', 'service account token issuing is not configured on this server (no service account key)');
    const mt = mediaType(req.headers['content-type']);
    const buf = await readBody(req);
    // kubectl 1.32's `create token` sends the TokenRequest as protobuf.
    const decoded = mt === PROTOBUF_MEDIA_TYPE ? decodeProtobufBody(buf).object : decodeDocument(buf, mt === 'application/yaml' ? 'yaml' : 'json').value;
    if (!isPlainObject(decoded)) throw badRequest('TokenRequest body must be an object');
    const body = { metadata: {}, ...decoded } as KObject;
    await admitNodeTokenRequest(ctx.user, ri.namespace, ri.name, body, (ns, name) => deps.stores.get(storeKey('', 'pods'))!.get(ns, name));
    const tr = await deps.serviceAccountTokens.request(ri.namespace, ri.name, body);
    return writeJson(res, 201, tr);
  }
  if (['log', 'exec', 'attach', 'portforward', 'proxy'].includes(sub) && info.resource === 'pods') {
    const pod = await store.get(ri.namespace, ri.name);
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!nodeName) throw badRequest(`pod ${ri.name} does not have a host assigned`);
    throw new StatusError(503, 'ServiceUnavailable', `pods/${sub} needs the node agent on "${nodeName}", which this kts server cannot reach (node connections are not available yet)`);
  }
  void deps;
  throw new StatusError(405, 'MethodNotAllowed', `the ${info.resource}/${sub} subresource is not supported by this kts version yet`);
}

interface ScaleSpecHolder {
  replicas?: number;
  selector?: unknown;
}

function toScale(store: Store, obj: KObject): KObject {
  const custom = customScale(store.info, obj);
  if (custom) return custom;
  const spec = (obj.spec ?? {}) as ScaleSpecHolder;
  const status = (obj.status ?? {}) as { replicas?: number; selector?: string };
  let selector = '';
  if (store.info.resource === 'replicationcontrollers') {
    const sel = (spec.selector ?? {}) as Record<string, string>;
    selector = Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',');
  } else if (spec.selector) {
    selector = selectorFromLabelSelector(spec.selector as Parameters<typeof selectorFromLabelSelector>[0]).toString();
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}

async function handleScale(req: IncomingMessage, res: ServerResponse, ri: RequestInfo, query: URLSearchParams, ctx: RequestContext, store: Store): Promise<void> {
  const scaleTarget: DecodeTarget = { info: store.info, version: 'v1', schema: 'io.k8s.api.autoscaling.v1.Scale', kind: 'Scale', group: 'autoscaling' };
  const reply = (obj: KObject) => {
    addWarnings(res, ctx.warnings);
    writeJson(res, 200, toScale(store, obj));
  };
  if (ri.verb === 'get') return reply(await store.get(ri.namespace, ri.name));
  const fv = fieldValidationOf(query);
  let desired: (cur: KObject) => KObject;
  if (ri.verb === 'update') {
    const scale = await readObject(req, scaleTarget, fv, ctx.warnings);
    desired = (cur) => applyScale(store, cur, scale);
  } else if (ri.verb === 'patch') {
    const mt = mediaType(req.headers['content-type']);
    const { value: patch } = decodeDocument(await readBody(req), 'json');
    desired = (cur) => {
      const curScale = toScale(store, cur);
      let patched: unknown;
      if (mt === 'application/json-patch+json') patched = applyJsonPatch(curScale, patch);
      else if (mt === 'application/merge-patch+json') patched = applyMergePatch(curScale, patch);
      else if (mt === 'application/strategic-merge-patch+json') patched = applyStrategicMergePatch(curScale, patch, 'io.k8s.api.autoscaling.v1.Scale', structOf);
      else throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.slice(0, 3).join(', ')}`);
      return applyScale(store, cur, checkObject(patched, scaleTarget, fv, ctx.warnings));
    };
  } else throw methodNotAllowed('the server does not allow this method on the requested resource');
  reply(await store.guaranteedUpdate(ri.namespace, ri.name, desired, ctx));
}

function applyScale(store: Store, cur: KObject, scale: KObject): KObject {
  const rv = scale.metadata.resourceVersion;
  if (rv && rv !== cur.metadata.resourceVersion) throw conflict(store.ref, cur.metadata.name!, 'the object has been modified; please apply your changes to the latest version and try again');
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  const next = clone(cur);
  if (!setCustomReplicas(store.info, next, typeof replicas === 'number' ? replicas : 0)) {
    const spec = (isPlainObject(next.spec) ? next.spec : {}) as ScaleSpecHolder;
    spec.replicas = typeof replicas === 'number' ? replicas : 0;
    next.spec = spec;
  }
  if (typeof replicas === 'number' && replicas < 0) {
    throw new StatusError(422, 'Invalid', `Scale.autoscaling "${cur.metadata.name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`, { name: cur.metadata.name, group: 'autoscaling', kind: 'Scale', causes: [{ type: 'FieldValueInvalid', message: `Invalid value: ${replicas}: must be greater than or equal to 0`, field: 'spec.replicas' }] });
  }
  next.metadata.resourceVersion = undefined;
  return next;
}

export { notFound };
