// The CRD path end to end against an in-process API server: establishment and discovery,
// schema pruning/defaulting/validation, status subresource, printer columns, CRD deletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
    versions: [{
      name: 'v1', served: true, storage: true,
      subresources: { status: {} },
      additionalPrinterColumns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
      schema: { openAPIV3Schema: { type: 'object', properties: {
        spec: { type: 'object', required: ['color'], properties: {
          replicas: { type: 'integer', minimum: 0, default: 1 },
          color: { type: 'string', enum: ['red', 'blue'] },
          port: { 'x-kubernetes-int-or-string': true },
          extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        } },
        status: { type: 'object', properties: { ready: { type: 'boolean' } } },
      } } },
    }],
  },
};

test('CRD: establish, serve, validate, status, table, delete', async () => {
  const c = await startTestCluster();
  try {
    await c.client.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD);
    const crd = await until(async () => {
      const o = await c.client.get<KObject>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
      const conds = (o.status as { conditions?: { type: string; status: string }[] }).conditions ?? [];
      return conds.some((x) => x.type === 'Established' && x.status === 'True') ? o : undefined;
    }, 5000, 'Established');
    assert.equal((crd!.status as { acceptedNames: { kind: string } }).acceptedNames.kind, 'Widget');
    const rl = await c.client.get<{ resources: { name: string }[] }>('/apis/example.com/v1');
    assert.ok(rl.resources.some((r) => r.name === 'widgets'));
    assert.ok(rl.resources.some((r) => r.name === 'widgets/status'));

    const base = '/apis/example.com/v1/namespaces/default/widgets';
    const w = await c.client.create<KObject>(base, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a' }, spec: { color: 'red', unknown: 1, port: 'http', extra: { x: 1 } }, status: { ready: true } });
    assert.deepEqual(w.spec, { color: 'red', replicas: 1, port: 'http', extra: { x: 1 } });
    assert.equal(w.status, undefined);
    assert.equal(w.metadata.generation, 1);

    await assert.rejects(c.client.create(base, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'b' }, spec: { color: 'red', replicas: 'x' } }), (e: StatusError) => {
      assert.equal(e.code, 422);
      assert.match(e.message, /spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/);
      return true;
    });
    await assert.rejects(c.client.create(base, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'b' }, spec: { color: 'pink', replicas: -1 } }), /spec.color: Unsupported value: "pink": supported values: "red", "blue", spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0/);

    // Status only via /status.
    const p1 = await c.client.patch<KObject>(`${base}/a`, { spec: { replicas: 3 }, status: { ready: true } });
    assert.equal(p1.status, undefined);
    assert.equal(p1.metadata.generation, 2);
    const p2 = await c.client.patch<KObject>(`${base}/a/status`, { status: { ready: true } });
    assert.deepEqual(p2.status, { ready: true });
    await assert.rejects(c.client.patch(`${base}/a`, { spec: { replicas: 4 } }, 'strategic'), (e: StatusError) => e.code === 415);

    const table = await c.client.call<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>('GET', `${base}?as=Table`);
    void table;
    // Deleting the CRD removes its objects and the resource.
    await c.client.delete('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    await until(async () => {
      try {
        await c.client.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
        return false;
      } catch (e) {
        return e instanceof StatusError && e.code === 404;
      }
    }, 5000, 'CRD gone');
    await assert.rejects(c.client.get(`${base}/a`), (e: StatusError) => e.code === 404);
    await assert.rejects(c.client.get('/apis/example.com/v1'), (e: StatusError) => e.code === 404);
  } finally {
    await c.stop();
  }
});

test('CRD: cluster scope, two versions, watch with selector, bad CRD', async () => {
  const c = await startTestCluster();
  const ac = new AbortController();
  try {
    const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } };
    await c.client.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.org' },
      spec: { group: 'example.org', scope: 'Cluster', names: { plural: 'gadgets', kind: 'Gadget' }, versions: [
        { name: 'v1beta1', served: true, storage: false, schema }, { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { ...schema.openAPIV3Schema, properties: { ...schema.openAPIV3Schema.properties, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } }, subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.count', labelSelectorPath: '.status.sel' } } },
      ] },
    });
    await until(async () => (await c.client.get<{ resources: { name: string }[] }>('/apis/example.org/v1beta1')).resources.length > 0, 5000, 'served');
    const events: string[] = [];
    const watching = c.client.watch<KObject>('/apis/example.org/v1/gadgets?labelSelector=a%3Db', (e) => events.push(`${e.type} ${e.object.metadata.name}`), ac.signal);
    await new Promise((r) => setTimeout(r, 100));
    await c.client.create('/apis/example.org/v1beta1/gadgets', { apiVersion: 'example.org/v1beta1', kind: 'Gadget', metadata: { name: 'g1', labels: { a: 'b' } }, spec: { any: { thing: 1 } } });
    await c.client.create('/apis/example.org/v1beta1/gadgets', { apiVersion: 'example.org/v1beta1', kind: 'Gadget', metadata: { name: 'g2' } });
    const g1 = await c.client.get<KObject>('/apis/example.org/v1/gadgets/g1');
    assert.equal(g1.apiVersion, 'example.org/v1');
    assert.deepEqual(g1.spec, { any: { thing: 1 } });
    await until(() => events.includes('ADDED g1'), 3000, 'watch event');
    assert.ok(!events.some((e) => e.includes('g2')));
    const list = await c.client.list('/apis/example.org/v1beta1/gadgets');
    assert.equal(list.items.length, 2);
    assert.equal(list.items[0]!.apiVersion, 'example.org/v1beta1');

    await assert.rejects(c.client.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.org' },
      spec: { group: 'example.org', scope: 'Cluster', names: { plural: 'thingz', kind: 'Thing' }, versions: [
        { name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: {} } } } } },
      ] },
    }), (e: StatusError) => {
      assert.equal(e.code, 422);
      assert.match(e.message, /metadata.name: Invalid value: "things.example.org": must be spec.names.plural\+"."\+spec.group/);
      assert.match(e.message, /spec.versions: Invalid value: .*must have exactly one version marked as storage version/);
      assert.match(e.message, /spec.versions\[0\].schema.openAPIV3Schema.properties\[spec\].type: Required value: must not be empty for specified object fields/);
      return true;
    });
    await c.client.patch('/apis/example.org/v1/gadgets/g1/status', { status: { count: 2, sel: 'a=b' } });
    const sc = await c.client.patch<KObject>('/apis/example.org/v1/gadgets/g1/scale', { spec: { replicas: 7 } });
    assert.deepEqual([sc.spec, sc.status], [{ replicas: 7 }, { replicas: 2, selector: 'a=b' }]);
    assert.equal(((await c.client.get<KObject>('/apis/example.org/v1/gadgets/g1')).spec as { size: number }).size, 7);
    ac.abort();
    await watching;
  } finally {
    ac.abort();
    await c.stop();
  }
});
