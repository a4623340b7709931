import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventPrinter, modernEventPrinter } from './events.js';

const now = Date.parse('2024-05-01T12:00:00Z');

test('columns: LAST SEEN TYPE REASON OBJECT MESSAGE with SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME wide', () => {
  assert.deepEqual(
    eventPrinter.columns.map((c) => `${c.name}:${c.priority}`),
    ['Last Seen:0', 'Type:0', 'Reason:0', 'Object:0', 'Subobject:1', 'Source:1', 'Message:0', 'First Seen:1', 'Count:1', 'Name:1'],
  );
  assert.equal(eventPrinter.columns.find((c) => c.name === 'Name')!.format, 'name');
});

test('a core/v1 event', () => {
  const ev = {
    metadata: { name: 'web-1.17c', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{app}' },
    reason: 'Pulled',
    message: 'Successfully pulled image "nginx"\n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-a' },
    firstTimestamp: '2024-05-01T11:50:00Z',
    lastTimestamp: '2024-05-01T11:59:00Z',
    count: 4,
  };
  assert.deepEqual(eventPrinter.row(ev, now), ['60s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{app}', 'kubelet, node-a', 'Successfully pulled image "nginx"', '10m', 4, 'web-1.17c']);
});

test('event without timestamps or count falls back to eventTime and 1; series wins', () => {
  const ev = { metadata: { name: 'e' }, involvedObject: { kind: 'Node' }, type: 'Warning', reason: 'X', message: 'm', reportingComponent: 'ctrl', reportingInstance: 'i-1', eventTime: '2024-05-01T11:59:30.000000Z' };
  assert.deepEqual(eventPrinter.row(ev, now), ['30s', 'Warning', 'X', 'node', '', 'ctrl, i-1', 'm', '30s', 1, 'e']);
  const series = { ...ev, series: { count: 7, lastObservedTime: '2024-05-01T11:59:55.000000Z' } };
  const row = eventPrinter.row(series, now);
  assert.equal(row[0], '5s');
  assert.equal(row[8], 7);
  assert.equal(eventPrinter.row({ metadata: { name: 'e' } }, now)[0], '<unknown>');
});

test('events.k8s.io/v1 events read regarding, note and the deprecated fields', () => {
  const ev = {
    metadata: { name: 'e2' },
    regarding: { kind: 'Deployment', name: 'web' },
    note: 'Scaled up',
    reason: 'ScalingReplicaSet',
    type: 'Normal',
    reportingController: 'deployment-controller',
    eventTime: '2024-05-01T11:58:00.000000Z',
  };
  assert.deepEqual(modernEventPrinter.row(ev, now), ['2m', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up', '2m', 1, 'e2']);
});
