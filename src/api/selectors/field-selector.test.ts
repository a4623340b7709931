import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { fieldGetter, matchesFields, parseFieldSelector, validateFieldSelector } from './field-selector.js';

function rejects(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest' && e.message === message);
}

test('parses =, == and != terms joined by commas', () => {
  const sel = parseFieldSelector('status.phase!=Running,metadata.name==web,spec.nodeName=n1');
  assert.deepEqual(sel.requirements, [
    { field: 'metadata.name', operator: '=', value: 'web' },
    { field: 'spec.nodeName', operator: '=', value: 'n1' },
    { field: 'status.phase', operator: '!=', value: 'Running' },
  ]);
  assert.equal(sel.toString(), 'metadata.name=web,spec.nodeName=n1,status.phase!=Running');
  assert.equal(sel.empty, false);
  assert.equal(parseFieldSelector('').empty, true);
  assert.equal(parseFieldSelector(',,').empty, true, 'empty terms are skipped');
  assert.equal(sel.requiresExactMatch('metadata.name'), 'web');
  assert.equal(sel.requiresExactMatch('status.phase'), undefined);
});

test('backslash escapes commas, equals signs and backslashes in values', () => {
  const sel = parseFieldSelector('a=x\\,y\\=z\\\\w,b=2');
  assert.deepEqual(
    sel.requirements.map((r) => [r.field, r.value]),
    [
      ['a', 'x,y=z\\w'],
      ['b', '2'],
    ],
  );
  assert.equal(sel.toString(), 'a=x\\,y\\=z\\\\w,b=2');
  assert.equal(parseFieldSelector('a=').requirements[0]!.value, '');
});

test('malformed selectors get upstream errors', () => {
  rejects(() => parseFieldSelector('foo'), "invalid selector: 'foo'; can't understand 'foo'");
  rejects(() => parseFieldSelector('a=b,foo'), "invalid selector: 'a=b,foo'; can't understand 'foo'");
  rejects(() => parseFieldSelector('a=b\\x'), 'invalid field selector: invalid escape sequence: \\x');
  rejects(() => parseFieldSelector('a=b\\'), 'invalid field selector: invalid escape sequence: \\');
  rejects(() => parseFieldSelector('a=b=c'), 'invalid field selector: unescaped character in value: 61');
  rejects(() => parseFieldSelector('a!==b'), 'invalid field selector: unescaped character in value: 61');
});

test('matching treats a missing value as the empty string', () => {
  const values: Record<string, string> = { 'status.phase': 'Running' };
  const get = (f: string): string | undefined => values[f];
  assert.equal(parseFieldSelector('status.phase=Running').matches(get), true);
  assert.equal(parseFieldSelector('status.phase!=Running').matches(get), false);
  assert.equal(parseFieldSelector('spec.nodeName=').matches(get), true);
  assert.equal(parseFieldSelector('spec.nodeName!=').matches(get), false);
  assert.equal(parseFieldSelector('status.phase=Running,spec.nodeName=n1').matches(get), false);
});

const pod = {
  metadata: { name: 'web-1', namespace: 'prod' },
  spec: { nodeName: 'node-a', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.7' }], podIP: '10.0.0.7' },
};

test('pods select on their documented fields with Go zero values for absent ones', () => {
  const g = fieldGetter('', 'pods');
  assert.ok(g.supported.includes('spec.nodeName') && g.supported.includes('status.nominatedNodeName') && g.supported.includes('spec.host'));
  assert.equal(g.get(pod, 'spec.nodeName'), 'node-a');
  assert.equal(g.get(pod, 'spec.host'), 'node-a', 'legacy alias');
  assert.equal(g.get(pod, 'spec.hostNetwork'), 'false');
  assert.equal(g.get({ ...pod, spec: { hostNetwork: true } }, 'spec.hostNetwork'), 'true');
  assert.equal(g.get(pod, 'status.podIP'), '10.0.0.7');
  assert.equal(g.get(pod, 'status.nominatedNodeName'), '');
  assert.equal(g.get(pod, 'metadata.namespace'), 'prod');
  assert.equal(g.get(pod, 'spec.containers'), undefined);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName=node-a,status.phase!=Failed'), '', 'pods', pod), true);
  assert.equal(matchesFields(parseFieldSelector('spec.hostNetwork=true'), '', 'pods', pod), false);
});

test('validation rewrites legacy aliases and rejects unsupported labels per kind', () => {
  assert.deepEqual(validateFieldSelector(parseFieldSelector('spec.host=n1'), '', 'pods').requirements, [{ field: 'spec.nodeName', operator: '=', value: 'n1' }]);
  rejects(() => validateFieldSelector(parseFieldSelector('foo=bar'), '', 'pods'), 'field label not supported: foo');
  rejects(() => validateFieldSelector(parseFieldSelector('metadata.namespace=x'), '', 'nodes'), 'field label not supported: metadata.namespace');
  rejects(() => validateFieldSelector(parseFieldSelector('status.replicas=1'), 'apps', 'replicasets'), '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
  rejects(() => validateFieldSelector(parseFieldSelector('toString=1'), 'apps', 'deployments'), '"toString" is not a known field selector: only "metadata.name", "metadata.namespace"');
  rejects(() => validateFieldSelector(parseFieldSelector('status.active=1'), 'batch', 'jobs'), 'field label "status.active" not supported for Job');
  rejects(() => validateFieldSelector(parseFieldSelector('involvedObject.kind=Pod'), 'events.k8s.io', 'events'), 'field label not supported: involvedObject.kind');
  for (const [group, resource, field] of [
    ['', 'secrets', 'type'],
    ['', 'namespaces', 'status.phase'],
    ['', 'nodes', 'spec.unschedulable'],
    ['', 'replicationcontrollers', 'status.replicas'],
    ['', 'services', 'spec.type'],
    ['', 'events', 'involvedObject.uid'],
    ['events.k8s.io', 'events', 'regarding.kind'],
    ['batch', 'jobs', 'status.successful'],
    ['apps', 'deployments', 'metadata.namespace'],
    ['rbac.authorization.k8s.io', 'clusterroles', 'metadata.name'],
  ]) {
    assert.doesNotThrow(() => validateFieldSelector(parseFieldSelector(`${field}=x`), group!, resource!), `${group}/${resource} ${field}`);
  }
});

test('kind-specific readers: events, nodes, jobs, secrets', () => {
  const ev = { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'web-1' }, reason: 'Started', type: 'Normal', reportingComponent: 'kubelet' };
  const events = fieldGetter('', 'events');
  assert.equal(events.get(ev, 'involvedObject.kind'), 'Pod');
  assert.equal(events.get(ev, 'source'), 'kubelet', 'source falls back to reportingComponent');
  assert.equal(events.get({ ...ev, source: { component: 'scheduler' } }, 'source'), 'scheduler');
  const modern = fieldGetter('events.k8s.io', 'events');
  assert.equal(modern.get({ regarding: { name: 'x' }, reportingController: 'c' }, 'regarding.name'), 'x');
  assert.equal(modern.get({ regarding: { name: 'x' }, reportingController: 'c' }, 'reportingController'), 'c');
  assert.equal(fieldGetter('', 'nodes').get({ spec: {} }, 'spec.unschedulable'), 'false');
  assert.equal(fieldGetter('', 'nodes').get({ spec: { unschedulable: true } }, 'spec.unschedulable'), 'true');
  assert.equal(fieldGetter('batch', 'jobs').get({ status: { succeeded: 3 } }, 'status.successful'), '3');
  assert.equal(fieldGetter('batch', 'jobs').get({}, 'status.successful'), '0');
  assert.equal(fieldGetter('', 'secrets').get({ type: 'Opaque' }, 'type'), 'Opaque');
  assert.deepEqual(fieldGetter('apps', 'deployments').supported, ['metadata.name', 'metadata.namespace']);
});
