import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qosClass } from './qos.js';

const pod = (...resources: ({ requests?: Record<string, string>; limits?: Record<string, string> } | undefined)[]) => ({
  spec: { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) },
});

test('no cpu/memory requests or limits is BestEffort; other resources do not count', () => {
  assert.equal(qosClass(pod(undefined, {})), 'BestEffort');
  assert.equal(qosClass(pod({ limits: { 'ephemeral-storage': '1Gi' } })), 'BestEffort');
  assert.equal(qosClass(pod({ requests: { cpu: '0' } })), 'BestEffort');
});

test('equal cpu and memory limits and requests in every container is Guaranteed, compared as quantities', () => {
  assert.equal(qosClass(pod({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } })), 'Guaranteed');
  assert.equal(qosClass(pod({ limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed', 'requests default to limits');
});

test('anything less is Burstable', () => {
  assert.equal(qosClass(pod({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })), 'Burstable');
  assert.equal(qosClass(pod({ limits: { cpu: '1' } })), 'Burstable');
  assert.equal(qosClass(pod({ limits: { cpu: '1', memory: '1Gi' } }, undefined)), 'Burstable');
  const withInit = { spec: { containers: [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }], initContainers: [{ resources: { requests: { cpu: '1' } } }] } };
  assert.equal(qosClass(withInit), 'Burstable');
});
