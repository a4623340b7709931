import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { validateCreate, validateUpdate } from './index.js';

const msgs = (errs: FieldError[]): string[] => errs.map((e) => e.message);

test('name required unless generateName', () => {
  assert.deepEqual(msgs(validateCreate('', 'ConfigMap', { metadata: { namespace: 'default' } })), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(msgs(validateCreate('', 'ConfigMap', { metadata: { generateName: 'cm-', name: 'cm-abcde', namespace: 'default' } })), []);
});

test('name format per kind', () => {
  const [err] = validateCreate('', 'ConfigMap', { metadata: { name: 'Bad_Name', namespace: 'default' } });
  assert.ok(err!.message.startsWith('metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of'));
  // Namespaces are DNS labels, services DNS-1035 labels, RBAC names path segments.
  assert.match(validateCreate('', 'Namespace', { metadata: { name: 'a.b' } })[0]!.message, /^metadata\.name: Invalid value: "a\.b": a lowercase RFC 1123 label/);
  assert.match(validateCreate('', 'Service', { metadata: { name: '1svc', namespace: 'default' }, spec: {} })[0]!.message, /^metadata\.name: Invalid value: "1svc": a DNS-1035 label/);
  assert.deepEqual(msgs(validateCreate('rbac.authorization.k8s.io', 'ClusterRole', { metadata: { name: 'system:controller:x' } })), []);
  assert.deepEqual(msgs(validateCreate('rbac.authorization.k8s.io', 'ClusterRole', { metadata: { name: 'a/b' } })), ["metadata.name: Invalid value: \"a/b\": may not contain '/'"]);
});

test('namespace required for namespaced kinds and forbidden for cluster-scoped ones', () => {
  assert.deepEqual(msgs(validateCreate('', 'ConfigMap', { metadata: { name: 'x' } })), ['metadata.namespace: Required value']);
  assert.deepEqual(msgs(validateCreate('', 'Namespace', { metadata: { name: 'x', namespace: 'y' } })), ['metadata.namespace: Forbidden: not allowed on this type']);
});

test('labels, annotations and finalizers', () => {
  const errs = msgs(validateCreate('', 'ConfigMap', { metadata: { name: 'x', namespace: 'd', labels: { 'bad key!': 'v', ok: '-bad' }, finalizers: ['custom'] } }));
  assert.equal(errs.length, 3);
  assert.ok(errs[0]!.startsWith('metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters'));
  assert.ok(errs[1]!.startsWith('metadata.labels: Invalid value: "-bad": a valid label must be an empty string'));
  assert.equal(errs[2], 'metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified');
  const big = { metadata: { name: 'x', namespace: 'd', annotations: { a: 'x'.repeat(256 * 1024) } } };
  assert.deepEqual(msgs(validateCreate('', 'ConfigMap', big)), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
});

test('owner references need apiVersion, kind, name and uid, and one controller at most', () => {
  const errs = msgs(validateCreate('', 'ConfigMap', { metadata: { name: 'x', namespace: 'd', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: '' }] } }));
  assert.deepEqual(errs, ['metadata.ownerReferences.uid: Invalid value: "": uid must not be empty']);
  const two = [1, 2].map((i) => ({ apiVersion: 'v1', kind: 'K', name: `n${i}`, uid: `u${i}`, controller: true }));
  assert.match(msgs(validateCreate('', 'ConfigMap', { metadata: { name: 'x', namespace: 'd', ownerReferences: two } }))[0]!, /Only one reference can have Controller set to true\. Found "true" in references for K\/n1 and K\/n2$/);
});

test('identity metadata is immutable on update', () => {
  const old = { metadata: { name: 'x', namespace: 'd', uid: 'u1', creationTimestamp: '2024-01-02T03:04:05Z' } };
  const next = { metadata: { name: 'x', namespace: 'd', uid: 'u2', creationTimestamp: '2024-01-02T03:04:06Z' } };
  assert.deepEqual(msgs(validateUpdate('', 'ConfigMap', next, old)), [
    'metadata.uid: Invalid value: "u2": field is immutable',
    'metadata.creationTimestamp: Invalid value: 2024-01-02 03:04:06 +0000 UTC: field is immutable',
  ]);
  const deleting = { metadata: { name: 'x', namespace: 'd', deletionTimestamp: '2024-01-02T03:04:05Z', finalizers: ['a.io/x'] } };
  const added = { metadata: { ...deleting.metadata, finalizers: ['a.io/x', 'b.io/y'] } };
  assert.deepEqual(msgs(validateUpdate('', 'ConfigMap', added, deleting)), ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}']);
});
