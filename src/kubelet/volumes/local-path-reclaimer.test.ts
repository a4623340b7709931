import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reclaimablePath } from './local-path-reclaimer.js';

const pv = (path: string, o: { node?: string; phase?: string; policy?: string; by?: string } = {}) => ({
  metadata: { name: 'pvc-1', uid: 'u', annotations: { 'pv.kubernetes.io/provisioned-by': o.by ?? 'rancher.io/local-path', 'local.path.provisioner/selected-node': o.node ?? 'n1' } },
  spec: { hostPath: { path }, persistentVolumeReclaimPolicy: o.policy ?? 'Delete' },
  status: { phase: o.phase ?? 'Released' },
});

test('only released local-path volumes of this node, directly under its storage dir, are reclaimed', () => {
  assert.equal(reclaimablePath(pv('/s/pvc-1_default_data'), 'n1', '/s'), '/s/pvc-1_default_data');
  assert.equal(reclaimablePath(pv('/s/pvc-1_default_data'), 'n1', '/s/'), '/s/pvc-1_default_data');
  assert.equal(reclaimablePath(pv('/s/pvc-1_default_data', { node: 'n2' }), 'n1', '/s'), undefined);
  assert.equal(reclaimablePath(pv('/s/pvc-1_default_data', { phase: 'Bound' }), 'n1', '/s'), undefined);
  assert.equal(reclaimablePath(pv('/s/pvc-1_default_data', { policy: 'Retain' }), 'n1', '/s'), undefined);
  assert.equal(reclaimablePath(pv('/s/pvc-1_default_data', { by: 'other.io/x' }), 'n1', '/s'), undefined);
  assert.equal(reclaimablePath(pv('/etc'), 'n1', '/s'), undefined);
  assert.equal(reclaimablePath(pv('/s'), 'n1', '/s'), undefined);
  assert.equal(reclaimablePath(pv('/s/../etc/pvc-x'), 'n1', '/s'), undefined);
  assert.equal(reclaimablePath(pv('/s/a/pvc-1'), 'n1', '/s'), undefined);
  assert.equal(reclaimablePath(pv('/s/not-a-pvc'), 'n1', '/s'), undefined);
});
