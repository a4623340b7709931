import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../test/support/cluster.js';
import { StatusError } from '../api/errors.js';
import type { KObject } from '../api/types.js';

const CM = '/api/v1/namespaces/default/configmaps';
const APPLY = 'application/apply-patch+yaml';

interface Entry { manager: string; operation: string; fieldsV1: Record<string, unknown>; apiVersion: string; fieldsType: string; time: string }
const entries = (o: KObject) => (o.metadata.managedFields ?? []) as Entry[];

test('server-side apply: create, conflicts, force, removal of dropped fields', async () => {
  const c = await startTestCluster();
  try {
    const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data });
    await assert.rejects(c.client.call('PATCH', `${CM}/a`, cm({ x: '1' }), APPLY), (e: unknown) => e instanceof StatusError && e.code === 422 && e.message === 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const created = await c.client.call<KObject>('PATCH', `${CM}/a?fieldManager=alice`, cm({ owner: 'alice', x: '1' }), APPLY);
    assert.deepEqual(created.data, { owner: 'alice', x: '1' });
    assert.equal(entries(created).length, 1);
    assert.deepEqual(entries(created)[0]!.fieldsV1, { 'f:data': { 'f:owner': {}, 'f:x': {} } });
    assert.equal(entries(created)[0]!.operation, 'Apply');

    await assert.rejects(c.client.call('PATCH', `${CM}/a?fieldManager=team-a`, cm({ owner: 'team-a' }), APPLY), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 409);
      assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "alice": .data.owner');
      assert.deepEqual(e.details?.causes, [{ type: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.owner' }]);
      return true;
    });
    // Same value: shared ownership, no conflict.
    await c.client.call('PATCH', `${CM}/a?fieldManager=team-b`, cm({ x: '1' }), APPLY);
    const forced = await c.client.call<KObject>('PATCH', `${CM}/a?fieldManager=team-a&force=true`, cm({ owner: 'team-a' }), APPLY);
    assert.equal((forced.data as Record<string, string>).owner, 'team-a');
    const alice = entries(forced).find((e) => e.manager === 'alice')!;
    assert.deepEqual(alice.fieldsV1, { 'f:data': { 'f:x': {} } });

    // alice stops applying x: team-b still owns it, so it stays; then team-b drops it too.
    let o = await c.client.call<KObject>('PATCH', `${CM}/a?fieldManager=alice`, cm({ y: '2' }), APPLY);
    assert.deepEqual(o.data, { owner: 'team-a', x: '1', y: '2' });
    o = await c.client.call<KObject>('PATCH', `${CM}/a?fieldManager=team-b`, cm({ z: '3' }), APPLY);
    assert.deepEqual(o.data, { owner: 'team-a', y: '2', z: '3' });

    // An update (merge patch) takes the fields it changes from the appliers.
    o = await c.client.patch<KObject>(`${CM}/a?fieldManager=editor`, { data: { y: 'edited' } });
    const ed = entries(o).find((e) => e.manager === 'editor')!;
    assert.equal(ed.operation, 'Update');
    assert.deepEqual(ed.fieldsV1, { 'f:data': { 'f:y': {} } });
    assert.equal(entries(o).find((e) => e.manager === 'alice'), undefined);
  } finally {
    await c.stop();
  }
});

test('creates and updates record Update managers named by fieldManager or User-Agent', async () => {
  const c = await startTestCluster();
  try {
    const p = await c.client.create<KObject>('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] }] } });
    const e = entries(p);
    assert.equal(e.length, 1);
    assert.equal(e[0]!.manager, 'kts');
    assert.equal(e[0]!.operation, 'Update');
    assert.equal(e[0]!.fieldsType, 'FieldsV1');
    const f = e[0]!.fieldsV1 as { 'f:metadata': unknown; 'f:spec': { 'f:containers': Record<string, unknown> } };
    assert.deepEqual(f['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
    assert.deepEqual(Object.keys(f['f:spec']['f:containers']), ['k:{"name":"c"}']);
    const put = await c.client.update<KObject>(`/api/v1/namespaces/default/pods/p?fieldManager=kubectl-edit`, { ...p, metadata: { ...p.metadata, labels: { app: 'y' } } });
    const edit = entries(put).find((x) => x.manager === 'kubectl-edit')!;
    assert.deepEqual(edit.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:app': {} } } });
    // Status writes are recorded with subresource status and only status fields.
    const st = await c.client.update<KObject>('/api/v1/namespaces/default/pods/p/status?fieldManager=kubelet', { ...put, status: { ...(put.status as object), phase: 'Running' } });
    const kubelet = (st.metadata.managedFields as (Entry & { subresource?: string })[]).find((x) => x.manager === 'kubelet')!;
    assert.equal(kubelet.subresource, 'status');
    assert.deepEqual(kubelet.fieldsV1, { 'f:status': { 'f:phase': {} } });
    // `[{}]` strips managedFields; a force parameter on a non-apply patch is refused.
    const cleared = await c.client.patch<KObject>('/api/v1/namespaces/default/pods/p', [{ op: 'replace', path: '/metadata/managedFields', value: [{}] }], 'json');
    assert.equal(cleared.metadata.managedFields, undefined);
    await assert.rejects(c.client.patch('/api/v1/namespaces/default/pods/p?force=true', { metadata: { labels: { a: 'b' } } }), (err: unknown) => err instanceof StatusError && err.code === 422 && /force: Forbidden: may not be specified for non-apply patch/.test(err.message));
  } finally {
    await c.stop();
  }
});

test('applying a Deployment twice merges containers and ports by key', async () => {
  const c = await startTestCluster();
  try {
    const path = '/apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubectl';
    const dep = (image: string) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }] } } },
    });
    const first = await c.client.call<KObject>('PATCH', path, dep('nginx:1'), APPLY);
    const second = await c.client.call<KObject>('PATCH', path, dep('nginx:2'), APPLY);
    const containers = ((second.spec as { template: { spec: { containers: { image: string; ports: unknown[] }[] } } }).template.spec.containers);
    assert.equal(containers.length, 1);
    assert.equal(containers[0]!.image, 'nginx:2');
    assert.equal(containers[0]!.ports.length, 1);
    assert.equal(entries(second).length, 1);
    assert.notEqual(first.metadata.resourceVersion, second.metadata.resourceVersion);
    const f = JSON.stringify(entries(second)[0]!.fieldsV1);
    assert.match(f, /"f:selector":\{\}/);
    assert.match(f, /k:\{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"\}/);
  } finally {
    await c.stop();
  }
});

test("an update renews its manager's time when it changes a field's value, and only then", async () => {
  const c = await startTestCluster();
  try {
    const url = `${CM}/renew?fieldManager=m`;
    await c.client.create(`${CM}?fieldManager=m`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'renew' }, data: { a: '1' } });
    const old = { manager: 'm', operation: 'Update', apiVersion: 'v1', time: '2020-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } };
    // The same content: nothing changed, the (sent) time stays.
    let o = await c.client.update<KObject>(url, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'renew', managedFields: [old] }, data: { a: '1' } });
    assert.equal(entries(o)[0]!.time, '2020-01-01T00:00:00Z');
    // A new value for a field it already owns (as a Lease renewal's renewTime): renewed.
    o = await c.client.update<KObject>(url, { ...o, data: { a: '2' } });
    assert.equal(entries(o).length, 1);
    assert.deepEqual(entries(o)[0]!.fieldsV1, old.fieldsV1);
    assert.ok(entries(o)[0]!.time > '2026-', entries(o)[0]!.time);
  } finally {
    await c.stop();
  }
});
