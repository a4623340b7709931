// LimitRanger: defaults with the limit-ranger annotation, and min/max/ratio refusals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../../test/support/cluster.js';
import type { TestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import type { PodSpec } from './types.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lr' } });
  await c.client.create('/api/v1/namespaces/lr/limitranges', {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'limits' },
    spec: {
      limits: [
        { type: 'Container', min: { cpu: '100m' }, max: { memory: '1Gi' }, defaultRequest: { cpu: '200m', memory: '256Mi' }, default: { memory: '512Mi' }, maxLimitRequestRatio: { memory: '4' } },
        { type: 'PersistentVolumeClaim', max: { storage: '10Gi' } },
      ],
    },
  });
});
after(async () => c.stop());

function pod(name: string, resources: Record<string, unknown>): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', resources }] } };
}

async function refusal(path: string, obj: KObject): Promise<StatusError> {
  try {
    await c.client.create(path, obj);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  assert.fail('create succeeded');
}

test('missing requests and limits are defaulted from the LimitRange and recorded', async () => {
  const created = await c.client.create('/api/v1/namespaces/lr/pods', pod('defaulted', {}));
  const container = (created.spec as PodSpec).containers![0]!;
  assert.deepEqual(container.resources, { limits: { memory: '512Mi' }, requests: { cpu: '200m', memory: '256Mi' } });
  assert.equal(created.metadata.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; memory limit for container c');
  assert.equal((created.status as { qosClass?: string }).qosClass, 'Burstable');

  const partial = await c.client.create('/api/v1/namespaces/lr/pods', pod('partial', { requests: { memory: '300Mi' }, limits: { memory: '600Mi' } }));
  assert.equal(partial.metadata.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu request for container c');
});

test('pods outside min, max or the limit/request ratio are refused with every violation', async () => {
  const e = await refusal('/api/v1/namespaces/lr/pods', pod('too-much', { requests: { cpu: '50m', memory: '1Gi' }, limits: { memory: '2Gi' } }));
  assert.equal(e.code, 403);
  assert.equal(e.message, 'pods "too-much" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum memory usage per Container is 1Gi, but limit is 2Gi]');

  const ratio = await refusal('/api/v1/namespaces/lr/pods', pod('ratio', { requests: { memory: '100Mi' }, limits: { memory: '1Gi' } }));
  assert.equal(ratio.message, 'pods "ratio" is forbidden: memory max limit to request ratio per Container is 4, but provided ratio is 10.240000');

  const pvc = await refusal('/api/v1/namespaces/lr/persistentvolumeclaims', {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'big' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } },
  });
  assert.equal(pvc.message, 'persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi');
});

test('a defaulted limit below the pod\'s own request fails validation, as upstream', async () => {
  const e = await refusal('/api/v1/namespaces/lr/pods', pod('low-limit', { requests: { memory: '700Mi' } }));
  assert.equal(e.code, 422);
  assert.match(e.message, /must be less than or equal to memory limit/);
});
