import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentStatusPrinter, configMapPrinter, resourceQuotaPrinter, secretPrinter } from './core.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const metadata = { name: 'x', creationTimestamp: '2024-05-01T11:59:00Z' };

test('configmaps count data and binaryData; secrets show type and key count', () => {
  assert.deepEqual(configMapPrinter.row({ metadata, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, now), ['x', 3, '60s']);
  assert.deepEqual(secretPrinter.row({ metadata, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }, now), ['x', 'kubernetes.io/tls', 2, '60s']);
});

test('resource quotas split requests and limits, sorted by resource', () => {
  assert.deepEqual(
    resourceQuotaPrinter.columns.map((c) => c.name),
    ['Name', 'Request', 'Limit', 'Age'],
  );
  const rq = { metadata, status: { hard: { pods: '10', 'limits.cpu': '2', 'requests.cpu': '1', 'limits.memory': '1Gi' }, used: { pods: '3', 'requests.cpu': '500m' } } };
  assert.deepEqual(resourceQuotaPrinter.row(rq, now), ['x', 'pods: 3/10, requests.cpu: 500m/1', 'limits.cpu: 0/2, limits.memory: 0/1Gi', '60s']);
});

test('component statuses report the Healthy condition', () => {
  assert.deepEqual(componentStatusPrinter.row({ metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] }, now), ['etcd-0', 'Healthy', 'ok', '']);
  assert.deepEqual(componentStatusPrinter.row({ metadata: { name: 'scheduler' }, conditions: [{ type: 'Healthy', status: 'False', error: 'refused' }] }, now), ['scheduler', 'Unhealthy', '', 'refused']);
  assert.deepEqual(componentStatusPrinter.row({ metadata: { name: 'c' } }, now), ['c', 'Unknown', '', '']);
});
