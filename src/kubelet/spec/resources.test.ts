import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linuxResources, milliCpuToQuota, milliCpuToShares, oomScoreAdj, podCgroupParent } from './resources.js';
import type { Container, Pod } from './types.js';

const GiB = 1024 ** 3;
const mk = (resources: Container['resources'], extra: Partial<Pod['spec']> = {}): [Pod, Container] => {
  const c: Container = { name: 'c', image: 'i', resources };
  return [{ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [c], ...extra } }, c];
};

test('shares and quota follow upstream (min 2 shares, min 1ms quota, no quota without a limit)', () => {
  assert.equal(milliCpuToShares(0), 2);
  assert.equal(milliCpuToShares(1), 2);
  assert.equal(milliCpuToShares(100), 102);
  assert.equal(milliCpuToShares(1000), 1024);
  assert.equal(milliCpuToShares(1_000_000), 262144);
  assert.equal(milliCpuToQuota(0), 0);
  assert.equal(milliCpuToQuota(5), 1000);
  assert.equal(milliCpuToQuota(250), 25000);
});

test('BestEffort: minimal shares, no quota, no memory limit, score 1000', () => {
  const [p, c] = mk(undefined);
  assert.deepEqual(linuxResources(p, c, 4 * GiB), { cpuShares: 2, cpuPeriod: 100000, cpuQuota: 0, oomScoreAdj: 1000 });
  assert.equal(podCgroupParent(p), '/kubepods/besteffort/podu1');
});

test('Guaranteed: shares from the request, quota and memory from the limits, score -997', () => {
  const [p, c] = mk({ requests: { cpu: '500m', memory: '64Mi' }, limits: { cpu: '500m', memory: '64Mi' } });
  assert.deepEqual(linuxResources(p, c, 4 * GiB), { cpuShares: 512, cpuPeriod: 100000, cpuQuota: 50000, oomScoreAdj: -997, memoryLimitInBytes: String(64 * 1024 * 1024) });
  assert.equal(podCgroupParent(p), '/kubepods/podu1');
});

test('Burstable: shares from the limit when no request; score by memory request share, clamped', () => {
  const [p, c] = mk({ limits: { cpu: '1500m' }, requests: { memory: `${GiB}` } });
  const r = linuxResources(p, c, 4 * GiB);
  assert.equal(r.cpuShares, 1536);
  assert.equal(r.cpuQuota, 150000);
  assert.equal(r.oomScoreAdj, 750);
  assert.equal(podCgroupParent(p), '/kubepods/burstable/podu1');
  assert.equal(oomScoreAdj(...mk({ requests: { memory: '1Ki' } }), 4 * GiB), 999, 'never equal to BestEffort');
  assert.equal(oomScoreAdj(...mk({ requests: { memory: '8Gi' } }), 4 * GiB), 3, 'never below Guaranteed + 1000');
  assert.equal(oomScoreAdj(...mk({ requests: { cpu: '1' } }), 4 * GiB), 999);
});

test('node-critical pods get the Guaranteed score; bad quantities are refused', () => {
  assert.equal(oomScoreAdj(...mk(undefined, { priorityClassName: 'system-node-critical', priority: 2000001000 }), GiB), -997);
  const [p, c] = mk({ limits: { cpu: 'lots' } });
  assert.throws(() => linuxResources(p, c, GiB), /invalid quantity "lots" for resource cpu/);
});
