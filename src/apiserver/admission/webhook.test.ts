// Admission webhooks end to end against an in-process API server and a small HTTPS webhook.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { startTestCluster, type TestCluster } from '../../../test/support/cluster.js';
import { jsonPatch, startWebhookServer, type WebhookServer } from '../../../test/support/webhook-server.js';

const AR = '/apis/admissionregistration.k8s.io/v1';
let cluster: TestCluster;
let hook: WebhookServer;

before(async () => {
  cluster = await startTestCluster();
  hook = await startWebhookServer(async (req, path) => {
    if (path === '/second') return { allowed: true, patchType: 'JSONPatch', patch: jsonPatch([{ op: 'add', path: '/data/second', value: 'x' }]) };
    if (path === '/count') {
      const n = hook.calls.filter((c) => c.path === '/count' && c.request.name === req.name).length;
      return { allowed: true, patchType: 'JSONPatch', patch: jsonPatch([{ op: 'add', path: '/metadata/annotations', value: { calls: String(n) } }]) };
    }
    const labels = req.object?.metadata?.labels ?? {};
    if (path === '/validate') {
      if (labels.forbidden === 'true') return { allowed: false, status: { code: 403, message: 'configmaps labelled forbidden=true are not allowed' } };
      return { allowed: true, warnings: ['checked by test webhook'] };
    }
    if (path === '/mutate') return { allowed: true, patchType: 'JSONPatch', patch: jsonPatch([{ op: 'add', path: '/metadata/labels', value: { ...labels, mutated: 'yes' } }]) };
    if (path === '/slow') await new Promise((r) => setTimeout(r, 2500));
    if (path === '/deny-all' || path === '/slow') return { allowed: false, status: { message: 'no' } };
    return { allowed: true };
  }, { dns: ['hook.default.svc'] });
});
after(async () => {
  await hook.close();
  await cluster.stop();
});

function webhook(name: string, path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name, clientConfig: { url: `${hook.url}${path}`, caBundle: hook.caBundle },
    rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    sideEffects: 'None', admissionReviewVersions: ['v1'], ...extra,
  };
}

async function withConfig<T>(kind: 'Validating' | 'Mutating', webhooks: unknown[], fn: () => Promise<T>): Promise<T> {
  const resource = `${AR}/${kind.toLowerCase()}webhookconfigurations`;
  const name = `test-${Math.random().toString(36).slice(2, 8)}`;
  await cluster.client.create(resource, { apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks });
  try {
    return await fn();
  } finally {
    await cluster.client.delete(`${resource}/${name}`);
  }
}

const cm = (name: string, labels: Record<string, string> = {}, ns = 'default'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { a: '1' } });
const createCm = (o: KObject) => cluster.client.create<KObject>(`/api/v1/namespaces/${o.metadata.namespace}/configmaps`, o);

async function rejects(p: Promise<unknown>, code: number, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

test('configurations get upstream defaults; matchConditions and missing sideEffects are refused', async () => {
  const created = await cluster.client.create<KObject>(`${AR}/validatingwebhookconfigurations`, { metadata: { name: 'defaults' }, webhooks: [webhook('d.example.com', '/validate')] });
  const w = (created.webhooks as Record<string, unknown>[])[0]!;
  assert.equal(w.failurePolicy, 'Fail');
  assert.equal(w.matchPolicy, 'Equivalent');
  assert.equal(w.timeoutSeconds, 10);
  assert.deepEqual(w.namespaceSelector, {});
  assert.deepEqual(w.objectSelector, {});
  assert.equal((w.rules as Record<string, unknown>[])[0]!.scope, '*');
  await cluster.client.delete(`${AR}/validatingwebhookconfigurations/defaults`);
  await rejects(cluster.client.create(`${AR}/validatingwebhookconfigurations`, { metadata: { name: 'cel' }, webhooks: [webhook('c.example.com', '/validate', { matchConditions: [{ name: 'x', expression: 'true' }] })] }), 422, /webhooks\[0\]\.matchConditions: Forbidden: .*not supported/);
  await rejects(cluster.client.create(`${AR}/mutatingwebhookconfigurations`, { metadata: { name: 'se' }, webhooks: [webhook('s.example.com', '/mutate', { sideEffects: undefined })] }), 422, /webhooks\[0\]\.sideEffects: Required value/);
});

test('a validating webhook rejects a labelled ConfigMap with its message and code', async () => {
  await withConfig('Validating', [webhook('deny.example.com', '/validate')], async () => {
    await rejects(createCm(cm('bad', { forbidden: 'true' })), 403, /^admission webhook "deny\.example\.com" denied the request: configmaps labelled forbidden=true are not allowed$/);
    await createCm(cm('good'));
    const call = hook.calls.find((c) => c.request.name === 'good')!;
    assert.equal(call.request.operation, 'CREATE');
    assert.deepEqual(call.request.resource, { group: '', version: 'v1', resource: 'configmaps' });
    // Updates go through it too.
    await rejects(cluster.client.patch('/api/v1/namespaces/default/configmaps/good', { metadata: { labels: { forbidden: 'true' } } }), 403, /denied the request/);
  });
});

test('a mutating webhook adds a label with a JSONPatch', async () => {
  await withConfig('Mutating', [webhook('mutate.example.com', '/mutate')], async () => {
    const out = await createCm(cm('mutated', { keep: 'me' }));
    assert.deepEqual(out.metadata.labels, { keep: 'me', mutated: 'yes' });
    const stored = await cluster.client.get<KObject>('/api/v1/namespaces/default/configmaps/mutated');
    assert.equal(stored.metadata.labels?.mutated, 'yes');
  });
});

test('failurePolicy: Ignore lets requests through when the webhook is down, Fail refuses', async () => {
  const down = { url: 'https://127.0.0.1:1/down', caBundle: hook.caBundle };
  await withConfig('Validating', [webhook('ignore.example.com', '', { clientConfig: down, failurePolicy: 'Ignore' })], async () => {
    await createCm(cm('through'));
  });
  await withConfig('Validating', [webhook('fail.example.com', '', { clientConfig: down })], async () => {
    await rejects(createCm(cm('refused')), 500, /^Internal error occurred: failed calling webhook "fail\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:1\/down\?timeout=10s": dial tcp 127\.0\.0\.1:1: connect: connection refused$/);
  });
});

test('a webhook slower than timeoutSeconds fails (or is ignored)', async () => {
  await withConfig('Validating', [webhook('slow.example.com', '/slow', { timeoutSeconds: 1 })], async () => {
    await rejects(createCm(cm('slow')), 500, /failed calling webhook "slow\.example\.com": .*context deadline exceeded/);
  });
  await withConfig('Validating', [webhook('slow2.example.com', '/slow', { timeoutSeconds: 1, failurePolicy: 'Ignore' })], async () => {
    await createCm(cm('slow-ignored'));
  });
});

test('objectSelector and namespaceSelector pick which requests a webhook sees', async () => {
  await cluster.client.create('/api/v1/namespaces', { metadata: { name: 'guarded', labels: { guard: 'on' } } });
  await withConfig('Validating', [webhook('obj.example.com', '/deny-all', { objectSelector: { matchLabels: { check: 'me' } } })], async () => {
    await createCm(cm('unchecked'));
    await rejects(createCm(cm('checked', { check: 'me' })), 400, /admission webhook "obj\.example\.com" denied the request: no/);
  });
  await withConfig('Validating', [webhook('ns.example.com', '/deny-all', { namespaceSelector: { matchExpressions: [{ key: 'guard', operator: 'In', values: ['on'] }] } })], async () => {
    await createCm(cm('free'));
    await rejects(createCm(cm('guarded', {}, 'guarded')), 400, /denied the request: no/);
  });
});

test('DELETE goes through validating webhooks; dry run calls only side-effect-free webhooks with dryRun', async () => {
  await createCm(cm('keep'));
  const del = webhook('del.example.com', '/deny-all', { rules: [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] });
  await withConfig('Validating', [del], async () => {
    await rejects(cluster.client.delete('/api/v1/namespaces/default/configmaps/keep'), 400, /denied the request: no/);
    const call = hook.calls.filter((c) => c.request.operation === 'DELETE').at(-1)!;
    assert.equal(call.request.object, null);
    assert.ok(call.request.oldObject);
  });
  await withConfig('Validating', [webhook('dry.example.com', '/validate')], async () => {
    await createCm({ ...cm('dry'), metadata: { name: 'dry', namespace: 'default' } }).then(() => cluster.client.delete('/api/v1/namespaces/default/configmaps/dry'));
    await cluster.client.create('/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry2'));
    assert.equal(hook.calls.find((c) => c.request.name === 'dry2')?.request.dryRun, true);
  });
});

test('reinvocationPolicy IfNeeded: a webhook runs again once when a later one changed the object', async () => {
  await withConfig('Mutating', [webhook('a-count.example.com', '/count', { reinvocationPolicy: 'IfNeeded' }), webhook('b-second.example.com', '/second')], async () => {
    const out = await createCm(cm('reinvoked'));
    assert.equal((out.data as Record<string, string>).second, 'x');
    assert.deepEqual(out.metadata.annotations, { calls: '2' });
  });
});

test('a service reference resolves through the Service and its Endpoints', async () => {
  await cluster.client.create('/api/v1/namespaces/default/services', { metadata: { name: 'hook' }, spec: { ports: [{ name: 'https', port: 443, targetPort: hook.port }] } });
  await cluster.client.create('/api/v1/namespaces/default/endpoints', { metadata: { name: 'hook' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: hook.port }] }] });
  const svc = webhook('svc.example.com', '', { clientConfig: { service: { namespace: 'default', name: 'hook', path: '/validate' }, caBundle: hook.caBundle } });
  await withConfig('Validating', [svc], async () => {
    await rejects(createCm(cm('via-svc', { forbidden: 'true' })), 403, /admission webhook "svc\.example\.com" denied the request/);
  });
});
