import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldValue, formatMap, projectDownward } from './downward-api.js';
import type { Pod } from './types.js';
import type { Payload } from './atomic-writer.js';

const pod = {
  metadata: { name: 'web', namespace: 'prod', uid: 'u-1', labels: { tier: 'front', app: 'web' }, annotations: { note: 'say "hi"' } },
  spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1500m', memory: '64Mi' }, requests: { cpu: '250m' } } }, { name: 'bare' }] },
} as unknown as Pod;

test('fieldRef values and the labels/annotations format', () => {
  assert.equal(fieldValue(pod, 'metadata.name'), 'web');
  assert.equal(fieldValue(pod, 'metadata.namespace'), 'prod');
  assert.equal(fieldValue(pod, 'metadata.uid'), 'u-1');
  assert.equal(fieldValue(pod, 'metadata.labels'), 'app="web"\ntier="front"');
  assert.equal(fieldValue(pod, "metadata.labels['tier']"), 'front');
  assert.equal(fieldValue(pod, 'metadata.annotations'), 'note="say \\"hi\\""');
  assert.equal(formatMap(undefined), '');
  assert.throws(() => fieldValue(pod, 'spec.nodeName'), /unsupported fieldPath: spec.nodeName/);
});

test('resourceFieldRef: divisors round up, limits fall back to the node', async () => {
  const payload: Payload = new Map();
  const node = async () => ({ cpu: '2', memory: '8Gi' });
  await projectDownward(
    payload,
    pod,
    [
      { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } },
      { path: 'cpu-m', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } },
      { path: 'req-cpu', resourceFieldRef: { containerName: 'c', resource: 'requests.cpu', divisor: '100m' } },
      { path: 'mem-mi', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' }, mode: 0o400 },
      { path: 'req-mem', resourceFieldRef: { containerName: 'c', resource: 'requests.memory' } },
      { path: 'node-mem', resourceFieldRef: { containerName: 'bare', resource: 'limits.memory', divisor: '1Gi' } },
      { path: 'node-cpu', resourceFieldRef: { containerName: 'bare', resource: 'limits.cpu' } },
    ],
    0o644,
    node,
  );
  const got = Object.fromEntries([...payload].map(([k, v]) => [k, v.data.toString()]));
  assert.deepEqual(got, { cpu: '2', 'cpu-m': '1500', 'req-cpu': '3', 'mem-mi': '64', 'req-mem': String(64 * 1024 * 1024), 'node-mem': '8', 'node-cpu': '2' });
  assert.equal(payload.get('mem-mi')!.mode, 0o400);
  await assert.rejects(projectDownward(new Map(), pod, [{ path: 'x', resourceFieldRef: { containerName: 'zz', resource: 'limits.cpu' } }], 0o644, node), /container zz not found/);
});
