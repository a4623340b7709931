// OpenAPI v3 documents for custom resources' group-versions (/openapi/v3/apis/<group>/<version>),
// built from the CRDs' schemas as apiextensions-apiserver publishes them: the kind's schema with
// apiVersion/kind/metadata and x-kubernetes-group-version-kind (for `kubectl explain`), and
// get/patch paths whose patch accepts json, merge and apply patches but not strategic merge, so
// kubectl's client-side apply picks a JSON merge patch and finds `fieldValidation`.
import { createHash } from 'node:crypto';
import { clone } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { CrdSpec } from './types.js';

type Json = Record<string, unknown>;
export interface ServedDoc { document: Json; json: string; hash: string }
export interface ServedCustom { info: ResourceInfo; spec: CrdSpec }

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];

/** `stable.example.com`, `v1`, `CronTab` → `com.example.stable.v1.CronTab` (upstream's naming). */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

export class CustomOpenApi {
  private docs = new Map<string, ServedDoc | null>();

  constructor(
    private readonly served: () => ServedCustom[],
    /** The built-in components (ObjectMeta and what it refers to) to copy into each document. */
    private readonly builtinComponents: () => Json,
  ) {}

  invalidate(): void {
    this.docs.clear();
  }

  /** Index paths (`apis/<group>/<version>`) of custom group-versions. */
  paths(): string[] {
    const out = new Set<string>();
    for (const s of this.served()) for (const v of s.info.versions) out.add(`apis/${s.info.group}/${v.version}`);
    return [...out].sort();
  }

  /** Adds the custom group-versions to the built-in /openapi/v3 index. */
  index(base: Json): Json {
    const paths = { ...(base.paths as Json) };
    for (const p of this.paths()) {
      const d = this.document(p);
      if (d && !(p in paths)) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
    }
    return { paths };
  }

  document(path: string): ServedDoc | undefined {
    let d = this.docs.get(path);
    if (d === undefined) {
      d = this.build(path) ?? null;
      this.docs.set(path, d);
    }
    return d ?? undefined;
  }

  private build(path: string): ServedDoc | undefined {
    const m = /^apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m) return undefined;
    const [, group, version] = m as unknown as [string, string, string];
    const mine = this.served().filter((s) => s.info.group === group && s.info.versions.some((v) => v.version === version));
    if (!mine.length) return undefined;
    const schemas: Json = { ...metaClosure(this.builtinComponents()) };
    schemas[`${META}.Patch`] = { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' };
    const paths: Json = {};
    for (const s of mine) {
      const ver = (s.spec.versions ?? []).find((v) => v.name === version);
      const name = definitionName(group, version, s.info.kind);
      const gvk = { group, version, kind: s.info.kind };
      const root = clone(ver?.schema?.openAPIV3Schema ?? { type: 'object' }) as Json;
      root.properties = {
        apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' },
        kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
        metadata: { allOf: [{ $ref: `#/components/schemas/${META}.ObjectMeta` }], description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
        ...((root.properties as Json | undefined) ?? {}),
      };
      root['x-kubernetes-group-version-kind'] = [gvk];
      schemas[name] = root;
      schemas[`${name}List`] = {
        type: 'object', required: ['items'],
        properties: { apiVersion: { type: 'string' }, items: { type: 'array', items: { $ref: `#/components/schemas/${name}` } }, kind: { type: 'string' }, metadata: { allOf: [{ $ref: `#/components/schemas/${META}.ListMeta` }] } },
        'x-kubernetes-group-version-kind': [{ ...gvk, kind: `${s.info.kind}List` }],
      };
      const item = s.info.namespaced ? `/apis/${group}/${version}/namespaces/{namespace}/${s.info.resource}/{name}` : `/apis/${group}/${version}/${s.info.resource}/{name}`;
      const ref = { $ref: `#/components/schemas/${name}` };
      const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref }, 'application/yaml': { schema: ref } } } };
      const q = (n: string, type = 'string') => ({ name: n, in: 'query', schema: { type, uniqueItems: true } });
      const K = s.info.kind;
      paths[item] = {
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }, ...(s.info.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }] : [])],
        get: { operationId: `read${s.info.namespaced ? 'Namespaced' : ''}${K}`, responses: ok, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk },
        patch: {
          operationId: `patch${s.info.namespaced ? 'Namespaced' : ''}${K}`,
          parameters: [q('dryRun'), q('fieldManager'), q('fieldValidation'), q('force', 'boolean')],
          requestBody: { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: { $ref: `#/components/schemas/${META}.Patch` } }])), required: true },
          responses: ok,
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': gvk,
        },
      };
    }
    const document = { openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' }, paths, components: { schemas } };
    const json = JSON.stringify(document);
    return { document, json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
  }
}

/** ObjectMeta, ListMeta and every schema they refer to, copied from the built-in components. */
function metaClosure(all: Json): Json {
  const out: Json = {};
  const todo = [`${META}.ObjectMeta`, `${META}.ListMeta`];
  while (todo.length) {
    const n = todo.pop()!;
    if (n in out || !(n in all)) continue;
    out[n] = all[n];
    for (const m of JSON.stringify(all[n]).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) todo.push(m[1]!);
  }
  return out;
}
