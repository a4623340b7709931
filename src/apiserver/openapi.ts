// The OpenAPI documents kubectl downloads: /openapi/v3 (an index plus one OpenAPI 3.0 document
// per group-version) and /openapi/v2 (one Swagger 2.0 document, for kubectl before 1.27).
// kubectl needs them for `apply|create|replace -f` (it checks that the kind's PATCH operation
// accepts `fieldValidation`, then leaves validation to the server) and for `explain` (schemas
// with x-kubernetes-group-version-kind and field descriptions). Both are generated from the
// schema DSL registry and the resource list, and memoised: kubectl asks on every apply.
//
// The schemas and paths follow kube-apiserver v1.32: operation ids (`patchAppsV1NamespacedDeployment`),
// x-kubernetes-action, named definitions for Time, MicroTime, Quantity and IntOrString, and
// `allOf: [{$ref}]` in v3 where a reference carries its own description (3.0 ignores $ref siblings).
import { createHash } from 'node:crypto';
import { ALL_VERBS, type ResourceInfo, type ResourceVersion } from '../api/resources.js';
import { listOf, type FieldDef, type Schema, type StructDef } from '../api/schema/dsl.js';
import { schemas } from '../api/schema/index.js';
import { descriptions, TYPE_KEY } from '../api/schema/descriptions.js';

export type SchemaRegistry = ReadonlyMap<string, StructDef>;
/** A generated document with its serialised form and content hash (for ETag and `?hash=`). */
export interface OpenApiServed {
  document: Record<string, unknown>;
  json: string;
  /** Uppercase hex SHA-512 of `json`, as kube-apiserver computes it. */
  hash: string;
}

type Json = Record<string, unknown>;
type Style = 'v2' | 'v3';
interface Gvk { group: string; version: string; kind: string }

/** The Kubernetes version these documents describe (info.version). */
// Kept equal to KUBE_VERSION in server/version.ts (a higher layer, so not imported).
const INFO = { title: 'Kubernetes', version: 'v1.32.4' };
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

// --- schemas ---------------------------------------------------------------------------------

const refTo = (style: Style, name: string): Json => ({ $ref: style === 'v3' ? `#/components/schemas/${name}` : `#/definitions/${name}` });

/** Names a schema refers to (structs and the named scalar types). */
function refsOf(s: Schema, out: Set<string>): void {
  switch (s.type) {
    case 'ref': out.add(s.ref); break;
    case 'map': refsOf(s.values, out); break;
    case 'array': refsOf(s.items, out); break;
    case 'time': out.add(s.micro ? MICRO_TIME : TIME); break;
    case 'quantity': out.add(QUANTITY); break;
    case 'int-or-string': out.add(INT_OR_STRING); break;
    default: break;
  }
}

function schemaJson(s: Schema, style: Style): Json {
  switch (s.type) {
    case 'string': {
      const o: Json = { type: 'string' };
      if (s.format) o.format = s.format;
      if (s.enum) o.enum = [...s.enum];
      return o;
    }
    case 'integer': return { type: 'integer', format: s.format };
    case 'number': return { type: 'number', format: s.format ?? 'double' };
    case 'boolean': return { type: 'boolean' };
    case 'ref': return refTo(style, s.ref);
    case 'map': return { type: 'object', additionalProperties: schemaJson(s.values, style) };
    case 'array': {
      const o: Json = { type: 'array', items: schemaJson(s.items, style) };
      if (s.listType) o['x-kubernetes-list-type'] = s.listType;
      if (s.mapKeys) o['x-kubernetes-list-map-keys'] = [...s.mapKeys];
      if (s.patchMergeKey) o['x-kubernetes-patch-merge-key'] = s.patchMergeKey;
      if (s.patchStrategy) o['x-kubernetes-patch-strategy'] = s.patchStrategy;
      return o;
    }
    case 'time': return refTo(style, s.micro ? MICRO_TIME : TIME);
    case 'quantity': return refTo(style, QUANTITY);
    case 'int-or-string': return refTo(style, INT_OR_STRING);
    // No `type`: any JSON value is allowed (old kubectl validates `type: object` strictly).
    case 'any': return { 'x-kubernetes-preserve-unknown-fields': true };
  }
}

function fieldJson(fd: FieldDef, style: Style, doc: string | undefined): Json {
  const base = schemaJson(fd.schema, style);
  const extra: Json = {};
  const description = fd.description ?? doc;
  if (description) extra.description = description;
  if (fd.patchStrategy) extra['x-kubernetes-patch-strategy'] = fd.patchStrategy;
  if (Object.keys(extra).length === 0) return base;
  // OpenAPI 3.0 ignores siblings of $ref, so upstream wraps the reference in allOf.
  if ('$ref' in base && style === 'v3') return { allOf: [base], ...extra };
  return { ...base, ...extra };
}

const gvkJson = (g: Gvk): Json => ({ group: g.group, kind: g.kind, version: g.version });

function structJson(d: StructDef, style: Style): Json {
  const o: Json = {};
  const docs = descriptions().get(d.name);
  const description = d.description ?? docs?.[TYPE_KEY];
  if (description) o.description = description;
  o.type = 'object';
  const names = Object.keys(d.fields);
  if (names.length > 0) o.properties = Object.fromEntries(names.map((n) => [n, fieldJson(d.fields[n], style, docs?.[n])]));
  if (d.required?.length) o.required = [...d.required];
  if (d.gvk?.length) o['x-kubernetes-group-version-kind'] = d.gvk.map(gvkJson);
  return o;
}

/** The named scalar types, as upstream defines them (v3 lists the alternatives with oneOf). */
function scalarJson(name: string, style: Style): Json | undefined {
  switch (name) {
    case TIME: return { description: 'A point in time, written as an RFC 3339 date and time in UTC with second precision.', type: 'string', format: 'date-time' };
    case MICRO_TIME: return { description: 'A point in time, written as an RFC 3339 date and time in UTC with microsecond precision.', type: 'string', format: 'date-time' };
    case QUANTITY:
      return style === 'v3'
        ? { description: 'Quantity is a fixed-point number such as "100m" or "1Gi" (or a plain number).', oneOf: [{ type: 'string' }, { type: 'number' }] }
        : { description: 'Quantity is a fixed-point number such as "100m" or "1Gi" (or a plain number).', type: 'string' };
    case INT_OR_STRING:
      return style === 'v3'
        ? { description: 'A value that is either a whole number or a string (a port number or name, a count or a percentage).', format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true }
        : { description: 'A value that is either a whole number or a string (a port number or name, a count or a percentage).', type: 'string', format: 'int-or-string' };
    default: return undefined;
  }
}

/**
 * Definitions reachable from `roots`. A name the registry does not (yet) hold becomes an open
 * object, so every $ref resolves; a missing kind still carries its group-version-kind so that
 * kubectl finds it. Missing `<Kind>List` types are derived from the item type like upstream's.
 */
function definitions(roots: Iterable<string>, ctx: Context, style: Style): Json {
  const out: Json = {};
  const queue = [...roots];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const scalar = scalarJson(name, style);
    if (scalar) { out[name] = scalar; continue; }
    const def = ctx.defs.get(name) ?? ctx.derived.get(name);
    if (!def) {
      const o: Json = { description: `${name} (schema not described by this server).`, type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      const gvk = ctx.gvkOf.get(name);
      if (gvk) o['x-kubernetes-group-version-kind'] = [gvkJson(gvk)];
      out[name] = o;
      continue;
    }
    out[name] = structJson(def, style);
    const refs = new Set<string>();
    for (const fd of Object.values(def.fields)) refsOf(fd.schema, refs);
    queue.push(...refs);
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

// --- operations ------------------------------------------------------------------------------

interface Param { name: string; in: 'query' | 'path'; type: 'string' | 'boolean' | 'integer'; description: string; required?: boolean }
type Body = { ref: string } | { text: true };
interface Op {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head' | 'options';
  operationId: string;
  description: string;
  action?: string;
  gvk?: Gvk;
  params: Param[];
  body?: { ref: string; contentTypes: string[] };
  responses: { code: string; description: string; body: Body }[];
  produces: string[];
}
interface PathItem { path: string; tag: string; params: Param[]; ops: Op[] }

const q = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', type, description });
const P = {
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: q('dryRun', 'string', 'When present, modifications are not persisted. The only valid value is "All" (process all dry run stages).'),
  fieldManager: q('fieldManager', 'string', 'A name of the actor making these changes, recorded in managedFields. Required for apply patches.'),
  fieldValidation: q('fieldValidation', 'string', 'How the server treats unknown or duplicate fields in the request: Ignore (drop them silently), Warn (drop them and return a warning per field; the default) or Strict (fail the request).'),
  force: q('force', 'boolean', 'Force an apply request: take ownership of fields owned by other managers. Only valid for apply patches.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Request watch events of type BOOKMARK; the server may send them at its discretion.'),
  continue: q('continue', 'string', 'The continue token returned by a previous paged list call, to fetch the next page.'),
  fieldSelector: q('fieldSelector', 'string', 'A selector restricting the returned objects by their fields. Defaults to everything.'),
  labelSelector: q('labelSelector', 'string', 'A selector restricting the returned objects by their labels. Defaults to everything.'),
  limit: q('limit', 'integer', 'The maximum number of items to return in a list call; the rest is reachable through the continue token.'),
  resourceVersion: q('resourceVersion', 'string', 'Constrains which resource versions a request may be served from. Defaults to unset.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion applies to list calls: Exact or NotOlderThan.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'With watch=true and resourceVersionMatch=NotOlderThan, start the watch with synthetic events for the current state.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for list and watch calls, regardless of activity.'),
  watch: q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update and remove notifications.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds before the object should be deleted; zero means delete immediately.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. Whether dependents are orphaned.'),
  propagationPolicy: q('propagationPolicy', 'string', 'Whether and how garbage collection is performed: Orphan, Background or Foreground.'),
  name: { name: 'name', in: 'path', type: 'string', required: true, description: 'name of the object' } as Param,
  namespace: { name: 'namespace', in: 'path', type: 'string', required: true, description: 'object name and auth scope, such as for teams and projects' } as Param,
};
const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];

const OBJECT_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const LIST_TYPES = [...OBJECT_TYPES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const STATUS = `${META}.Status`;
const DELETE_OPTIONS = `${META}.DeleteOptions`;
const PATCH = `${META}.Patch`;

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
/** `apps` → Apps, `rbac.authorization.k8s.io` → RbacAuthorization, core → Core. */
const groupWord = (group: string): string => (group === '' ? 'Core' : group.replace(/\.k8s\.io$/, '').split(/[.-]/).map(cap).join(''));
const gvPrefix = (group: string, version: string): string => (group === '' ? `/api/${version}` : `/apis/${group}/${version}`);
const tagOf = (group: string, version: string): string => {
  const w = groupWord(group);
  return `${w.charAt(0).toLowerCase()}${w.slice(1)}_${version}`;
};

const ok = (ref: string, ...codes: string[]): Op['responses'] => codes.map((code) => ({ code, description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', body: { ref } }));

/** Subresources served as get/put/patch of an object; the value is the body type if not the kind itself. */
const OBJECT_SUBS: Record<string, { schema: string; gvk: Gvk } | 'self'> = {
  status: 'self',
  ephemeralcontainers: 'self',
  resize: 'self',
  scale: { schema: 'io.k8s.api.autoscaling.v1.Scale', gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
};
/** Subresources served as a POST of another kind. */
const CREATE_SUBS: Record<string, { schema: string; gvk: Gvk }> = {
  binding: { schema: 'io.k8s.api.core.v1.Binding', gvk: { group: '', version: 'v1', kind: 'Binding' } },
  eviction: { schema: 'io.k8s.api.policy.v1.Eviction', gvk: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  token: { schema: 'io.k8s.api.authentication.v1.TokenRequest', gvk: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } },
};
/** Streaming subresources (x-kubernetes-action: connect) and their query parameters. */
const CONNECT_SUBS: Record<string, { methods: Op['method'][]; params: Param[] }> = {
  exec: { methods: ['get', 'post'], params: ['command', 'container', 'stderr', 'stdin', 'stdout', 'tty'].map((n) => q(n, n === 'command' || n === 'container' ? 'string' : 'boolean', `${n} of the exec request.`)) },
  attach: { methods: ['get', 'post'], params: ['container', 'stderr', 'stdin', 'stdout', 'tty'].map((n) => q(n, n === 'container' ? 'string' : 'boolean', `${n} of the attach request.`)) },
  portforward: { methods: ['get', 'post'], params: [q('ports', 'integer', 'List of ports to forward.')] },
  proxy: { methods: ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'], params: [q('path', 'string', 'Path is the URL path to use for the current proxy request.')] },
};
const LOG_PARAMS = [q('container', 'string', 'The container for which to stream logs.'), q('follow', 'boolean', 'Follow the log stream of the pod.'), q('limitBytes', 'integer', 'Bytes to read from the server before terminating the output.'), q('previous', 'boolean', 'Return the logs of the previous terminated container.'), q('sinceSeconds', 'integer', 'Relative time in seconds before now from which to show logs.'), q('tailLines', 'integer', 'Number of lines from the end of the logs to show.'), q('timestamps', 'boolean', 'Prefix each line with an RFC 3339 timestamp.')];

/** The paths upstream serves for one resource in one version. */
function resourcePaths(r: ResourceInfo, v: ResourceVersion, ctx: Context): PathItem[] {
  const gv = `${groupWord(r.group)}${cap(v.version)}`;
  const tag = tagOf(r.group, v.version);
  const gvk: Gvk = { group: r.group, version: v.version, kind: r.kind };
  const scope = r.namespaced ? 'Namespaced' : '';
  const K = r.kind;
  const verbs = new Set(r.verbs ?? ALL_VERBS);
  const listRef = `${v.schema}List`;
  ctx.gvkOf.set(v.schema, gvk);
  ctx.gvkOf.set(listRef, { ...gvk, kind: `${K}List` });
  if (!ctx.defs.has(listRef)) ctx.derived.set(listRef, listOf(v.schema, listRef, { ...gvk, kind: `${K}List` }));

  const prefix = gvPrefix(r.group, v.version);
  const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}` : `${prefix}/${r.resource}`;
  const scopeParams = r.namespaced ? [P.namespace, P.pretty] : [P.pretty];
  const itemParams = [P.name, ...scopeParams];
  const op = (o: Omit<Op, 'gvk' | 'produces'> & { gvk?: Gvk; produces?: string[] }): Op => ({ gvk, produces: OBJECT_TYPES, ...o });
  const items: PathItem[] = [];

  const collection: Op[] = [];
  if (verbs.has('list')) collection.push(op({ method: 'get', operationId: `list${gv}${scope}${K}`, description: `list or watch objects of kind ${K}`, action: 'list', params: LIST_PARAMS, responses: ok(listRef, '200'), produces: LIST_TYPES }));
  if (verbs.has('create')) collection.push(op({ method: 'post', operationId: `create${gv}${scope}${K}`, description: `create a ${K}`, action: 'post', params: WRITE_PARAMS, body: { ref: v.schema, contentTypes: ['*/*'] }, responses: ok(v.schema, '200', '201', '202') }));
  if (verbs.has('deletecollection')) collection.push(op({ method: 'delete', operationId: `delete${gv}Collection${scope}${K}`, description: `delete collection of ${K}`, action: 'deletecollection', params: [...LIST_PARAMS.filter((p) => p !== P.allowWatchBookmarks && p !== P.watch), ...DELETE_PARAMS], body: { ref: DELETE_OPTIONS, contentTypes: ['*/*'] }, responses: ok(STATUS, '200') }));
  if (collection.length) items.push({ path: base, tag, params: scopeParams, ops: collection });

  const item: Op[] = [];
  if (verbs.has('get')) item.push(op({ method: 'get', operationId: `read${gv}${scope}${K}`, description: `read the specified ${K}`, action: 'get', params: [], responses: ok(v.schema, '200') }));
  if (verbs.has('update')) item.push(op({ method: 'put', operationId: `replace${gv}${scope}${K}`, description: `replace the specified ${K}`, action: 'put', params: WRITE_PARAMS, body: { ref: v.schema, contentTypes: ['*/*'] }, responses: ok(v.schema, '200', '201') }));
  if (verbs.has('delete')) item.push(op({ method: 'delete', operationId: `delete${gv}${scope}${K}`, description: `delete a ${K}`, action: 'delete', params: DELETE_PARAMS, body: { ref: DELETE_OPTIONS, contentTypes: ['*/*'] }, responses: ok(STATUS, '200', '202') }));
  if (verbs.has('patch')) item.push(op({ method: 'patch', operationId: `patch${gv}${scope}${K}`, description: `partially update the specified ${K}`, action: 'patch', params: [...WRITE_PARAMS, P.force], body: { ref: PATCH, contentTypes: PATCH_TYPES }, responses: ok(v.schema, '200', '201') }));
  if (item.length) items.push({ path: `${base}/{name}`, tag, params: itemParams, ops: item });

  if (r.namespaced && verbs.has('list')) {
    items.push({ path: `${prefix}/${r.resource}`, tag, params: [P.pretty], ops: [op({ method: 'get', operationId: `list${gv}${K}ForAllNamespaces`, description: `list or watch objects of kind ${K}`, action: 'list', params: LIST_PARAMS, responses: ok(listRef, '200'), produces: LIST_TYPES })] });
  }

  for (const sub of r.subresources ?? []) {
    const S = cap(sub);
    const path = `${base}/{name}/${sub}`;
    const objectSub = OBJECT_SUBS[sub];
    const createSub = CREATE_SUBS[sub];
    const connectSub = CONNECT_SUBS[sub];
    if (objectSub) {
      const body = objectSub === 'self' ? { schema: v.schema, gvk } : objectSub;
      ctx.gvkOf.set(body.schema, body.gvk);
      items.push({ path, tag, params: itemParams, ops: [
        op({ method: 'get', operationId: `read${gv}${scope}${K}${S}`, description: `read ${sub} of the specified ${K}`, action: 'get', gvk: body.gvk, params: [], responses: ok(body.schema, '200') }),
        op({ method: 'put', operationId: `replace${gv}${scope}${K}${S}`, description: `replace ${sub} of the specified ${K}`, action: 'put', gvk: body.gvk, params: WRITE_PARAMS, body: { ref: body.schema, contentTypes: ['*/*'] }, responses: ok(body.schema, '200', '201') }),
        op({ method: 'patch', operationId: `patch${gv}${scope}${K}${S}`, description: `partially update ${sub} of the specified ${K}`, action: 'patch', gvk: body.gvk, params: [...WRITE_PARAMS, P.force], body: { ref: PATCH, contentTypes: PATCH_TYPES }, responses: ok(body.schema, '200', '201') }),
      ] });
    } else if (sub === 'finalize') {
      items.push({ path, tag, params: itemParams, ops: [op({ method: 'put', operationId: `replace${gv}${scope}${K}${S}`, description: `replace finalize of the specified ${K}`, action: 'put', params: WRITE_PARAMS, body: { ref: v.schema, contentTypes: ['*/*'] }, responses: ok(v.schema, '200', '201') })] });
    } else if (createSub) {
      ctx.gvkOf.set(createSub.schema, createSub.gvk);
      items.push({ path, tag, params: itemParams, ops: [op({ method: 'post', operationId: `create${gv}${scope}${K}${S}`, description: `create ${sub} of a ${K}`, action: 'post', gvk: createSub.gvk, params: WRITE_PARAMS, body: { ref: createSub.schema, contentTypes: ['*/*'] }, responses: ok(createSub.schema, '200', '201', '202') })] });
    } else if (sub === 'log') {
      items.push({ path, tag, params: itemParams, ops: [op({ method: 'get', operationId: `read${gv}${scope}${K}${S}`, description: `read log of the specified ${K}`, action: 'get', params: LOG_PARAMS, responses: [{ code: '200', description: 'OK', body: { text: true } }], produces: ['text/plain', ...OBJECT_TYPES] })] });
    } else if (connectSub) {
      const optionsGvk: Gvk = { group: '', version: 'v1', kind: `${K}${S}Options` };
      const connectParams = [P.name, ...(r.namespaced ? [P.namespace] : [])];
      items.push({ path, tag, params: connectParams, ops: connectSub.methods.map((m) => op({ method: m, operationId: `connect${gv}${cap(m)}${scope}${K}${S}`, description: `connect ${m.toUpperCase()} requests to ${sub} of ${K}`, action: 'connect', gvk: optionsGvk, params: connectSub.params, responses: [{ code: '200', description: 'OK', body: { text: true } }], produces: ['*/*'] })) });
    }
    // Other subresources have no OpenAPI operations upstream worth describing.
  }
  return items;
}

/** Discovery paths that are not resources: /api/, /apis/, /apis/<group>/, /<gv>/ and /version/. */
function discoveryPath(path: string, operationId: string, ref: string, tag: string): PathItem {
  return { path, tag, params: [], ops: [{ method: 'get', operationId, description: 'get available resources', params: [], responses: ok(ref, '200'), produces: OBJECT_TYPES }] };
}

// --- rendering -------------------------------------------------------------------------------

function paramJson(p: Param, style: Style): Json {
  const o: Json = { name: p.name, in: p.in, description: p.description };
  if (p.required) o.required = true;
  if (style === 'v3') o.schema = { type: p.type, uniqueItems: true };
  else Object.assign(o, { type: p.type, uniqueItems: true });
  return o;
}

function bodyJson(b: Body, style: Style): Json {
  return 'ref' in b ? refTo(style, b.ref) : { type: 'string' };
}

function opJson(o: Op, tag: string, style: Style): Json {
  const out: Json = { tags: [tag], description: o.description, operationId: o.operationId };
  const params = o.params.map((p) => paramJson(p, style));
  if (style === 'v3') {
    if (params.length) out.parameters = params;
    if (o.body) out.requestBody = { content: Object.fromEntries(o.body.contentTypes.map((ct) => [ct, { schema: refTo(style, o.body!.ref) }])), required: true };
    const responses: Json = {};
    for (const r of o.responses) responses[r.code] = { description: r.description, content: Object.fromEntries(o.produces.map((ct) => [ct, { schema: bodyJson(r.body, style) }])) };
    out.responses = { ...responses, 401: { description: 'Unauthorized' } };
  } else {
    out.consumes = o.body ? o.body.contentTypes : ['*/*'];
    out.produces = o.produces;
    out.schemes = ['https'];
    if (o.body) params.push({ name: 'body', in: 'body', required: true, schema: refTo(style, o.body.ref) });
    if (params.length) out.parameters = params;
    const responses: Json = {};
    for (const r of o.responses) responses[r.code] = { description: r.description, schema: bodyJson(r.body, style) };
    out.responses = { ...responses, 401: { description: 'Unauthorized' } };
  }
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk) out['x-kubernetes-group-version-kind'] = gvkJson(o.gvk);
  return out;
}

/** Every struct name an operation refers to, for the definitions closure. */
function opRefs(items: PathItem[]): Set<string> {
  const refs = new Set<string>();
  for (const it of items) for (const o of it.ops) {
    if (o.body) refs.add(o.body.ref);
    for (const r of o.responses) if ('ref' in r.body) refs.add(r.body.ref);
  }
  return refs;
}

function pathsJson(items: PathItem[], style: Style): Json {
  const out: Json = {};
  for (const it of [...items].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const p: Json = {};
    for (const o of it.ops) p[o.method] = opJson(o, it.tag, style);
    if (it.params.length) p.parameters = it.params.map((x) => paramJson(x, style));
    out[it.path] = p;
  }
  return out;
}

const SECURITY = { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } };

function v3Document(items: PathItem[], ctx: Context): Json {
  return {
    openapi: '3.0.0',
    info: INFO,
    paths: pathsJson(items, 'v3'),
    components: { schemas: definitions(opRefs(items), ctx, 'v3'), securitySchemes: SECURITY },
    security: [{ BearerToken: [] }],
  };
}

// --- per-registry state and memoisation ------------------------------------------------------

interface Context {
  defs: SchemaRegistry;
  /** Structs derived for the documents (List types the registry lacks). */
  derived: Map<string, StructDef>;
  /** The gvk each served schema name stands for, for placeholders of missing schemas. */
  gvkOf: Map<string, Gvk>;
  /** Path items per group-version key (`v1`, `apps/v1`). */
  byGroupVersion: Map<string, PathItem[]>;
  v3: Map<string, OpenApiServed | null>;
  index?: Json;
  v2?: OpenApiServed;
}

function newContext(resources: ResourceInfo[], defs: SchemaRegistry): Context {
  const ctx: Context = { defs, derived: new Map(), gvkOf: new Map(), byGroupVersion: new Map(), v3: new Map() };
  for (const r of resources) {
    for (const v of r.versions) {
      const key = r.group === '' ? v.version : `${r.group}/${v.version}`;
      let items = ctx.byGroupVersion.get(key);
      if (!items) {
        items = [discoveryPath(`${gvPrefix(r.group, v.version)}/`, `get${groupWord(r.group)}${cap(v.version)}APIResources`, `${META}.APIResourceList`, tagOf(r.group, v.version))];
        ctx.byGroupVersion.set(key, items);
      }
      items.push(...resourcePaths(r, v, ctx));
    }
  }
  return ctx;
}

const MAX_CACHED = 8;
const caches = new WeakMap<SchemaRegistry, Map<string, Context>>();

/** The memoised state for this resource set; keyed by content, so a changed list is noticed. */
function contextFor(resources: ResourceInfo[], defs: SchemaRegistry): Context {
  let perDefs = caches.get(defs);
  if (!perDefs) caches.set(defs, (perDefs = new Map()));
  const key = JSON.stringify(resources);
  let ctx = perDefs.get(key);
  if (!ctx) {
    ctx = newContext(resources, defs);
    if (perDefs.size >= MAX_CACHED) perDefs.delete(perDefs.keys().next().value as string);
    perDefs.set(key, ctx);
  }
  return ctx;
}

function served(document: Json): OpenApiServed {
  const json = JSON.stringify(document);
  return { document, json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
}

/** Groups served, in first-seen order. */
function groupsOf(ctx: Context): string[] {
  return [...new Set([...ctx.byGroupVersion.keys()].filter((k) => k.includes('/')).map((k) => k.split('/')[0]))];
}

/** The v3 document for an index path: `api/v1`, `apis/apps/v1`, `apis/apps`, `api`, `apis`, `version`. */
function buildV3(path: string, ctx: Context): Json | undefined {
  if (path === 'api') return v3Document([discoveryPath('/api/', 'getCoreAPIVersions', `${META}.APIVersions`, 'core')], ctx);
  if (path === 'apis') return v3Document([discoveryPath('/apis/', 'getAPIVersions', `${META}.APIGroupList`, 'apis')], ctx);
  if (path === 'version') return v3Document([discoveryPath('/version/', 'getCodeVersion', 'io.k8s.apimachinery.pkg.version.Info', 'version')], ctx);
  const m = /^api\/([^/]+)$/.exec(path) ?? /^apis\/([^/]+\/[^/]+)$/.exec(path);
  if (m) {
    const items = ctx.byGroupVersion.get(m[1]);
    return items ? v3Document(items, ctx) : undefined;
  }
  const g = /^apis\/([^/]+)$/.exec(path);
  if (g && groupsOf(ctx).includes(g[1])) {
    const w = groupWord(g[1]);
    return v3Document([discoveryPath(`/apis/${g[1]}/`, `get${w}APIGroup`, `${META}.APIGroup`, `${w.charAt(0).toLowerCase()}${w.slice(1)}`)], ctx);
  }
  return undefined;
}

// --- public API ------------------------------------------------------------------------------

/**
 * The v3 document for a path of the index (`api/v1`, `apis/apps/v1`, `apis/apps`, `api`, `apis`,
 * `version`) with its JSON and hash, or undefined if not served. Serve it with the hash as ETag;
 * a request whose `?hash=` differs from the current one gets upstream's redirect to the new URL.
 */
export function openapiV3Path(path: string, resources: ResourceInfo[], defs: SchemaRegistry = schemas): OpenApiServed | undefined {
  const ctx = contextFor(resources, defs);
  let s = ctx.v3.get(path);
  if (s === undefined) {
    const doc = buildV3(path, ctx);
    s = doc ? served(doc) : null;
    ctx.v3.set(path, s);
  }
  return s ?? undefined;
}

/** The OpenAPI 3.0 document of one group-version: `v1` (core) or `apps/v1`. */
export function openapiV3Document(groupVersion: string, resources: ResourceInfo[], defs: SchemaRegistry = schemas): Record<string, unknown> | undefined {
  const path = groupVersion.includes('/') ? `apis/${groupVersion}` : `api/${groupVersion}`;
  return openapiV3Path(path, resources, defs)?.document;
}

/** The /openapi/v3 index: every served path with its content-addressed URL. */
export function openapiV3Index(resources: ResourceInfo[], defs: SchemaRegistry = schemas): Record<string, unknown> {
  const ctx = contextFor(resources, defs);
  if (!ctx.index) {
    const keys = ['api', 'apis', 'version', ...groupsOf(ctx).map((g) => `apis/${g}`), ...[...ctx.byGroupVersion.keys()].map((k) => (k.includes('/') ? `apis/${k}` : `api/${k}`))].sort();
    const paths: Json = {};
    for (const k of keys) {
      const s = openapiV3Path(k, resources, defs);
      if (s) paths[k] = { serverRelativeURL: `/openapi/v3/${k}?hash=${s.hash}` };
    }
    ctx.index = { paths };
  }
  return ctx.index;
}

/** The Swagger 2.0 document (/openapi/v2) covering every served group-version, with JSON and hash. */
export function openapiV2Served(resources: ResourceInfo[], defs: SchemaRegistry = schemas): OpenApiServed {
  const ctx = contextFor(resources, defs);
  if (!ctx.v2) {
    const items: PathItem[] = [
      discoveryPath('/api/', 'getCoreAPIVersions', `${META}.APIVersions`, 'core'),
      discoveryPath('/apis/', 'getAPIVersions', `${META}.APIGroupList`, 'apis'),
      discoveryPath('/version/', 'getCodeVersion', 'io.k8s.apimachinery.pkg.version.Info', 'version'),
    ];
    for (const g of groupsOf(ctx)) {
      const w = groupWord(g);
      items.push(discoveryPath(`/apis/${g}/`, `get${w}APIGroup`, `${META}.APIGroup`, `${w.charAt(0).toLowerCase()}${w.slice(1)}`));
    }
    for (const list of ctx.byGroupVersion.values()) items.push(...list);
    ctx.v2 = served({
      swagger: '2.0',
      info: INFO,
      paths: pathsJson(items, 'v2'),
      definitions: definitions(opRefs(items), ctx, 'v2'),
      securityDefinitions: SECURITY,
      security: [{ BearerToken: [] }],
    });
  }
  return ctx.v2;
}

/** The Swagger 2.0 document kubectl before 1.27 uses for validation and explain. */
export function openapiV2(resources: ResourceInfo[], defs: SchemaRegistry = schemas): Record<string, unknown> {
  return openapiV2Served(resources, defs).document;
}
