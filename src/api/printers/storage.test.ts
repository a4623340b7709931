import { test } from 'node:test';
import assert from 'node:assert/strict';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const metadata = { name: 'v', creationTimestamp: '2024-05-01T11:00:00Z' };

test('persistent volumes', () => {
  const pv = { metadata, spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'ns', name: 'data' }, storageClassName: 'local-path', volumeMode: 'Filesystem' }, status: { phase: 'Bound' } };
  assert.deepEqual(persistentVolumePrinter.row(pv, now), ['v', '5Gi', 'RWO,RWX', 'Retain', 'Bound', 'ns/data', 'local-path', '<unset>', '', '60m', 'Filesystem']);
  assert.equal(persistentVolumePrinter.row({ ...pv, metadata: { ...metadata, deletionTimestamp: '2024-05-01T11:59:00Z' } }, now)[4], 'Terminating');
});

test('claims show capacity and modes only once bound', () => {
  const pending = { metadata, spec: { storageClassName: 'local-path', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } };
  assert.deepEqual(persistentVolumeClaimPrinter.row(pending, now), ['v', 'Pending', '', '', '', 'local-path', '<unset>', '60m', '<unset>']);
  const bound = { ...pending, spec: { ...pending.spec, volumeName: 'pv-1', volumeMode: 'Filesystem' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } };
  assert.deepEqual(persistentVolumeClaimPrinter.row(bound, now).slice(1, 5), ['Bound', 'pv-1', '1Gi', 'RWO']);
});

test('storage classes mark the default and fill in upstream defaults', () => {
  const sc = { metadata: { ...metadata, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' };
  assert.deepEqual(storageClassPrinter.row(sc, now), ['v (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '60m']);
  assert.deepEqual(storageClassPrinter.row({ metadata, provisioner: 'p', reclaimPolicy: 'Retain', allowVolumeExpansion: true }, now), ['v', 'p', 'Retain', 'Immediate', true, '60m']);
});
