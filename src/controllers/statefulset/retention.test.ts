import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import type { StatefulSet } from './identity.js';
import { claimIsStale, claimOwnerRefs, claimOwnerUpToDate } from './retention.js';

const set = (whenScaled: string, whenDeleted: string): StatefulSet => ({ metadata: { name: 'db', uid: 'set-uid', namespace: 'default' }, spec: { replicas: 2, persistentVolumeClaimRetentionPolicy: { whenScaled, whenDeleted } } });
const pod = (ordinal: number): KObject => ({ metadata: { name: `db-${ordinal}`, uid: `pod-${ordinal}` } });
const claim: KObject = { metadata: { name: 'data-db-0' } };

test('owner references follow the retention policy', () => {
  const kinds = (s: StatefulSet, p: KObject) => claimOwnerRefs(claim, s, p).map((r) => `${r.kind}/${r.name}`);
  assert.deepEqual(kinds(set('Retain', 'Retain'), pod(0)), []);
  assert.deepEqual(kinds(set('Retain', 'Delete'), pod(0)), ['StatefulSet/db']);
  assert.deepEqual(kinds(set('Delete', 'Retain'), pod(0)), []);
  assert.deepEqual(kinds(set('Delete', 'Retain'), pod(5)), ['Pod/db-5']);
  assert.deepEqual(kinds(set('Delete', 'Delete'), pod(0)), ['StatefulSet/db']);
  assert.deepEqual(kinds(set('Delete', 'Delete'), pod(5)), ['Pod/db-5']);
  const s = set('Retain', 'Delete');
  assert.ok(!claimOwnerUpToDate(claim, s, pod(0)));
  assert.ok(claimOwnerUpToDate({ metadata: { ownerReferences: claimOwnerRefs(claim, s, pod(0)) } }, s, pod(0)));
});

test('claims held by another controller or an old pod are left alone', () => {
  const other: KObject = { metadata: { ownerReferences: [{ apiVersion: 'x/v1', kind: 'X', name: 'x', uid: 'x', controller: true }] } };
  assert.ok(claimOwnerUpToDate(other, set('Delete', 'Delete'), pod(0)));
  const old: KObject = { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'db-3', uid: 'older', controller: true }] } };
  assert.ok(claimIsStale(old, { metadata: { name: 'db-3' } }));
  assert.ok(!claimIsStale(old, { metadata: { name: 'db-3', uid: 'older' } }));
});
