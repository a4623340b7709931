import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { builtinResources, type ResourceInfo } from '../api/resources.js';
import { f, int32, intOrString, kindFields, list, map, mapList, quantity, ref, str, struct, time, any, type StructDef } from '../api/schema/dsl.js';
import { openapiV2, openapiV2Served, openapiV3Document, openapiV3Index, openapiV3Path } from './openapi.js';

// A small registry standing in for the real one (which other files fill in).
const fixtureDefs: StructDef[] = [
  struct('io.k8s.api.apps.v1.Deployment', { ...kindFields(), spec: f(ref('io.k8s.api.apps.v1.DeploymentSpec'), 'What the Deployment should look like.') }, {
    description: 'Runs a set of identical pods and rolls out changes to them.',
    gvk: [{ group: 'apps', version: 'v1', kind: 'Deployment' }],
  }),
  struct('io.k8s.api.apps.v1.DeploymentSpec', {
    replicas: f(int32(), 'How many pods to run.'),
    strategy: f(ref('io.k8s.api.apps.v1.DeploymentStrategy'), 'How old pods are replaced on a rollout.', 'retainKeys'),
    template: ref('io.k8s.api.core.v1.PodTemplateSpec'),
  }, { required: ['template'] }),
  struct('io.k8s.api.apps.v1.DeploymentStrategy', { type: str(['Recreate', 'RollingUpdate']), maxSurge: intOrString() }),
  struct('io.k8s.api.core.v1.PodTemplateSpec', { metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), spec: ref('io.k8s.api.core.v1.PodSpec') }),
  struct('io.k8s.api.core.v1.PodSpec', { containers: mapList(ref('io.k8s.api.core.v1.Container'), 'name'), nodeSelector: map() }),
  struct('io.k8s.api.core.v1.Container', {
    name: str(),
    args: list(str()),
    resources: map(quantity()),
    extra: any(),
  }, { required: ['name'] }),
  struct('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { name: str(), creationTimestamp: time() }),
];
const fixture: ReadonlyMap<string, StructDef> = new Map(fixtureDefs.map((d) => [d.name, d]));
const deployments = builtinResources.filter((r) => r.group === 'apps' && r.kind === 'Deployment');

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => {
  assert.ok(v && typeof v === 'object' && !Array.isArray(v), `expected an object, got ${JSON.stringify(v)}`);
  return v as Obj;
};

/** Every $ref string anywhere in a document. */
function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refs(x, out);
    }
  }
  return out;
}

function assertRefsResolve(doc: Obj, prefix: string, table: Obj): void {
  const all = refs(doc);
  assert.ok(all.length > 0);
  for (const r of all) {
    assert.ok(r.startsWith(prefix), r);
    assert.ok(r.slice(prefix.length) in table, `unresolved ${r}`);
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

test('index lists every served group-version with a hash of its document', () => {
  const index = obj(openapiV3Index(builtinResources));
  const paths = obj(index.paths);
  const gvs = new Set(builtinResources.flatMap((r) => r.versions.map((v) => (r.group === '' ? `api/${v.version}` : `apis/${r.group}/${v.version}`))));
  assert.ok(gvs.has('apis/autoscaling/v1') && gvs.has('apis/autoscaling/v2'));
  for (const gv of gvs) {
    const url = obj(paths[gv]).serverRelativeURL as string;
    const m = /^\/openapi\/v3\/(.+)\?hash=([0-9A-F]{128})$/.exec(url);
    assert.ok(m, url);
    assert.equal(m[1], gv);
    const served = openapiV3Path(gv, builtinResources);
    assert.ok(served);
    assert.equal(m[2], createHash('sha512').update(served.json).digest('hex').toUpperCase());
  }
  for (const k of ['api', 'apis', 'version', 'apis/apps']) assert.ok(k in paths, k);
  assert.equal(openapiV3Path('apis/nope/v1', builtinResources), undefined);
  assert.equal(openapiV3Document('nope/v1', builtinResources), undefined);
});

test('apps/v1 document: Deployment schema with gvk and descriptions, translated DSL', () => {
  const doc = obj(openapiV3Document('apps/v1', deployments, fixture));
  assert.equal(doc.openapi, '3.0.0');
  const s = obj(obj(doc.components).schemas);
  const dep = obj(s['io.k8s.api.apps.v1.Deployment']);
  assert.deepEqual(dep['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.equal(dep.description, 'Runs a set of identical pods and rolls out changes to them.');
  // A described reference is wrapped in allOf (3.0 ignores $ref siblings).
  assert.deepEqual(obj(dep.properties).spec, { allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }], description: 'What the Deployment should look like.' });
  const spec = obj(s['io.k8s.api.apps.v1.DeploymentSpec']);
  assert.deepEqual(spec.required, ['template']);
  assert.deepEqual(obj(spec.properties).replicas, { type: 'integer', format: 'int32', description: 'How many pods to run.' });
  assert.equal(obj(obj(spec.properties).strategy)['x-kubernetes-patch-strategy'], 'retainKeys');
  // Fields the DSL does not describe take their text from descriptions/<file>.json.
  const template = obj(obj(spec.properties).template);
  assert.deepEqual(template.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec' }]);
  assert.match(String(template.description), /pod template/i);
  const containers = obj(obj(obj(s['io.k8s.api.core.v1.PodSpec']).properties).containers);
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  const c = obj(obj(s['io.k8s.api.core.v1.Container']).properties);
  assert.deepEqual({ ...obj(c.resources), description: undefined }, { type: 'object', additionalProperties: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' }, description: undefined });
  assert.deepEqual(c.extra, { 'x-kubernetes-preserve-unknown-fields': true });
  assert.deepEqual(obj(s['io.k8s.apimachinery.pkg.api.resource.Quantity']).oneOf, [{ type: 'string' }, { type: 'number' }]);
  assert.equal(obj(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString'])['x-kubernetes-int-or-string'], true);
  assert.equal(obj(s['io.k8s.apimachinery.pkg.apis.meta.v1.Time']).format, 'date-time');
  const strategyType = obj(obj(obj(s['io.k8s.api.apps.v1.DeploymentStrategy']).properties).type);
  assert.deepEqual({ type: strategyType.type, enum: strategyType.enum }, { type: 'string', enum: ['Recreate', 'RollingUpdate'] });
  // The List type the fixture lacks is derived, with its own gvk.
  assert.deepEqual(obj(s['io.k8s.api.apps.v1.DeploymentList'])['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'DeploymentList', version: 'v1' }]);
  assertRefsResolve(doc, '#/components/schemas/', s);
});

test('apps/v1 document: operations with actions, gvk and fieldValidation on writes', () => {
  const doc = obj(openapiV3Document('apps/v1', deployments, fixture));
  const paths = obj(doc.paths);
  const item = obj(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']);
  const patch = obj(item.patch);
  assert.equal(patch.operationId, 'patchAppsV1NamespacedDeployment');
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  const names = (op: Obj): string[] => (op.parameters as Obj[]).map((p) => `${p.in}:${p.name}`);
  assert.ok(names(patch).includes('query:fieldValidation'));
  assert.ok(Object.keys(obj(obj(patch.requestBody).content)).includes('application/strategic-merge-patch+json'));
  const coll = obj(paths['/apis/apps/v1/namespaces/{namespace}/deployments']);
  assert.equal(obj(coll.get).operationId, 'listAppsV1NamespacedDeployment');
  assert.equal(obj(coll.delete)['x-kubernetes-action'], 'deletecollection');
  assert.deepEqual(obj(obj(obj(coll.post).requestBody).content)['*/*'], { schema: { $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' } });
  assert.ok(paths['/apis/apps/v1/deployments'], 'all-namespaces list');
  const scale = obj(obj(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']).patch);
  assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.equal(obj(obj(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status']).get).operationId, 'readAppsV1NamespacedDeploymentStatus');
  for (const [path, item] of Object.entries(paths)) {
    if (path === '/apis/apps/v1/') continue;
    for (const m of METHODS) {
      const op = obj(item)[m];
      if (!op) continue;
      assert.ok(obj(op)['x-kubernetes-group-version-kind'], `${m} ${path}`);
      assert.ok(obj(op)['x-kubernetes-action'], `${m} ${path}`);
      if (m === 'post' || m === 'put' || m === 'patch') assert.ok(names(obj(op)).includes('query:fieldValidation'), `${m} ${path}`);
    }
  }
});

test('core/v1 paths: cluster-scoped and subresource operation ids', () => {
  const doc = obj(openapiV3Document('v1', builtinResources, fixture));
  const paths = obj(doc.paths);
  assert.equal(obj(obj(paths['/api/v1/nodes/{name}']).get).operationId, 'readCoreV1Node');
  assert.equal(obj(obj(paths['/api/v1/namespaces/{namespace}/pods']).delete).operationId, 'deleteCoreV1CollectionNamespacedPod');
  assert.equal(obj(obj(paths['/api/v1/namespaces/{namespace}/pods/{name}/exec']).get).operationId, 'connectCoreV1GetNamespacedPodExec');
  assert.deepEqual(obj(obj(paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction']).post)['x-kubernetes-group-version-kind'], { group: 'policy', kind: 'Eviction', version: 'v1' });
  // Namespace has no deletecollection verb, ComponentStatus is read-only.
  assert.equal(obj(paths['/api/v1/namespaces']).delete, undefined);
  assert.equal(obj(paths['/api/v1/componentstatuses/{name}']).patch, undefined);
  // Missing schemas (the fixture has no Pod) still resolve, and carry the kind's gvk.
  const s = obj(obj(doc.components).schemas);
  assert.deepEqual(obj(s['io.k8s.api.core.v1.Pod'])['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assertRefsResolve(doc, '#/components/schemas/', s);
});

test('every document built from the real registry is self-contained', () => {
  const paths = obj(openapiV3Index(builtinResources).paths);
  for (const k of Object.keys(paths)) {
    const s = openapiV3Path(k, builtinResources);
    assert.ok(s, k);
    assertRefsResolve(s.document, '#/components/schemas/', obj(obj(s.document.components).schemas));
  }
  const v2 = obj(openapiV2(builtinResources));
  assertRefsResolve(v2, '#/definitions/', obj(v2.definitions));
});

test('v2 document: definitions with gvk and body parameters', () => {
  const v2 = obj(openapiV2(deployments, fixture));
  assert.equal(v2.swagger, '2.0');
  const defs = obj(v2.definitions);
  assert.deepEqual(obj(defs['io.k8s.api.apps.v1.Deployment'])['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.deepEqual(obj(obj(defs['io.k8s.api.apps.v1.Deployment']).properties).spec, { $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentSpec', description: 'What the Deployment should look like.' });
  assert.deepEqual(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { description: 'A value that is either a whole number or a string (a port number or name, a count or a percentage).', type: 'string', format: 'int-or-string' });
  const patch = obj(obj(obj(v2.paths)['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']).patch);
  const params = patch.parameters as Obj[];
  assert.ok(params.some((p) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string'));
  assert.ok(params.some((p) => p.in === 'body' && obj(p.schema).$ref === '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch'));
  assertRefsResolve(v2, '#/definitions/', defs);
});

test('results are memoised and follow changes to the resource list', () => {
  const a = openapiV3Document('apps/v1', deployments, fixture);
  assert.equal(openapiV3Document('apps/v1', deployments, fixture), a);
  assert.equal(openapiV2Served(deployments, fixture), openapiV2Served(deployments, fixture));
  assert.equal(openapiV3Index(deployments, fixture), openapiV3Index(deployments, fixture));
  // A different (equal-content) array hits the cache; a changed list does not.
  assert.equal(openapiV3Document('apps/v1', deployments.map((r) => ({ ...r })), fixture), a);
  const withRs: ResourceInfo[] = [...deployments, ...builtinResources.filter((r) => r.kind === 'ReplicaSet')];
  const b = obj(openapiV3Document('apps/v1', withRs, fixture));
  assert.notEqual(b, a);
  assert.ok('/apis/apps/v1/namespaces/{namespace}/replicasets' in obj(b.paths));
  const before = obj(openapiV3Index(deployments, fixture).paths)['apis/apps/v1'];
  const after = obj(openapiV3Index(withRs, fixture).paths)['apis/apps/v1'];
  assert.notDeepEqual(before, after);
});

test('the real registry: every type and field of a served kind carries its documentation (kubectl explain)', () => {
  const doc = openapiV3Document('apps/v1', builtinResources)!;
  const s = obj(obj(doc.components).schemas);
  const ru = obj(s['io.k8s.api.apps.v1.RollingUpdateDeployment']);
  assert.match(String(ru.description), /rolling update/i);
  assert.match(String(obj(obj(ru.properties).maxSurge).description), /25%/);
  const undocumented: string[] = [];
  for (const [name, def] of Object.entries(s)) {
    const d = obj(def);
    if (!d.description) undocumented.push(name);
    for (const [field, f] of Object.entries(obj(d.properties ?? {}))) if (!obj(f).description) undocumented.push(`${name}.${field}`);
  }
  assert.deepEqual(undocumented, []);
});
