import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podRequests } from './resources.js';
import { makePod } from './testing.js';

test('pod requests: containers summed, init containers by max, sidecars added, overhead on top', () => {
  const p = makePod('p', {
    spec: {
      containers: [
        { name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
        { name: 'b', resources: { requests: { cpu: '200m' } } },
      ],
      initContainers: [
        { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } },
        { name: 'big-init', resources: { requests: { cpu: '1', memory: '1Gi' } } },
      ],
      overhead: { cpu: '10m' },
    },
  });
  const r = podRequests(p);
  // max(300m + 50m sidecar, 1000m + 50m sidecar) + 10m overhead
  assert.equal(r.milliCPU, 1060);
  assert.equal(r.memory, 1024 * 1024 * 1024);
  const nz = podRequests(makePod('empty'), true);
  assert.deepEqual([nz.milliCPU, nz.memory], [100, 200 * 1024 * 1024]);
});

test('extended resources are counted as scalars', () => {
  const p = makePod('gpu', { spec: { containers: [{ name: 'a', resources: { requests: { 'example.com/gpu': '2' } } }] } });
  assert.equal(podRequests(p).scalar.get('example.com/gpu'), 2);
});
