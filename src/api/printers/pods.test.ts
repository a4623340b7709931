import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { podPrinter } from './pods.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const created = '2024-05-01T11:00:00Z';

function pod(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', creationTimestamp: created, ...meta }, spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec }, status };
}

const cells = (p: KObject): unknown[] => podPrinter.row(p, now);
const statusOf = (p: KObject): unknown => cells(p)[2];

test('columns: NAME READY STATUS RESTARTS AGE, then wide IP NODE NOMINATED NODE READINESS GATES', () => {
  assert.deepEqual(
    podPrinter.columns.map((c) => [c.name, c.priority]),
    [
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ],
  );
  assert.equal(podPrinter.columns[0]!.format, 'name');
});

test('a running pod', () => {
  const p = pod(
    { nodeName: 'node-a' },
    {
      phase: 'Running',
      podIP: '10.1.0.5',
      podIPs: [{ ip: '10.1.0.5' }],
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: created } } }],
    },
  );
  assert.deepEqual(cells(p), ['p', '1/1', 'Running', '0', '60m', '10.1.0.5', 'node-a', '<none>', '<none>']);
  assert.equal(podPrinter.conditions!(p), undefined);
});

test('pending pod with no status yet', () => {
  assert.deepEqual(cells(pod({}, { phase: 'Pending' })).slice(1, 4), ['0/1', 'Pending', '0']);
});

test('waiting reasons: ContainerCreating and CrashLoopBackOff with restarts "N (age ago)"', () => {
  assert.equal(statusOf(pod({}, { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] })), 'ContainerCreating');
  const crashing = pod(
    {},
    {
      phase: 'Running',
      containerStatuses: [{ name: 'app', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:58:00Z' } } }],
    },
  );
  const row = cells(crashing);
  assert.equal(row[1], '0/1');
  assert.equal(row[2], 'CrashLoopBackOff');
  assert.equal(row[3], '3 (2m ago)');
});

test('init containers: Init:N/M, Init:<reason>, Init:ExitCode', () => {
  const spec = { initContainers: [{ name: 'a' }, { name: 'b' }] };
  const done = { name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } };
  assert.equal(statusOf(pod(spec, { phase: 'Pending', initContainerStatuses: [done, { name: 'b', state: { running: {} } }] })), 'Init:1/2');
  assert.equal(statusOf(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'a', state: { waiting: { reason: 'PodInitializing' } } }] })), 'Init:0/2');
  assert.equal(statusOf(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'a', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] })), 'Init:CrashLoopBackOff');
  assert.equal(statusOf(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'a', state: { terminated: { exitCode: 2 } } }] })), 'Init:ExitCode:2');
  assert.equal(statusOf(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137, signal: 9 } } }] })), 'Init:Signal:9');
  // While initializing, RESTARTS counts the init containers' restarts.
  assert.equal(cells(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'a', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }))[3], '2');
});

test('sidecar (restartable init) containers count towards READY', () => {
  const p = pod(
    { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
    {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'proxy', started: true, ready: true, state: { running: {} } }],
      containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }],
    },
  );
  assert.deepEqual(cells(p).slice(1, 3), ['2/2', 'Running']);
});

test('Completed, Error and a completed container beside a running one', () => {
  const completed = pod({}, { phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
  assert.equal(statusOf(completed), 'Completed');
  assert.deepEqual(podPrinter.conditions!(completed), [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  assert.equal(statusOf(pod({}, { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 1, reason: 'Error' } } }] })), 'Error');
  const mixed = {
    phase: 'Running',
    containerStatuses: [
      { name: 'app', ready: true, state: { running: {} } },
      { name: 'job', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
    ],
  };
  assert.equal(statusOf(pod({}, { ...mixed, conditions: [{ type: 'Ready', status: 'True' }] })), 'Running');
  assert.equal(statusOf(pod({}, mixed)), 'NotReady');
});

test('deletion: Terminating unless already finished, Unknown for a lost node', () => {
  const running = { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }] };
  assert.equal(statusOf(pod({}, running, { deletionTimestamp: '2024-05-01T11:59:00Z' })), 'Terminating');
  assert.equal(statusOf(pod({}, { ...running, reason: 'NodeLost' }, { deletionTimestamp: '2024-05-01T11:59:00Z' })), 'Unknown');
  assert.equal(statusOf(pod({}, { phase: 'Succeeded' }, { deletionTimestamp: '2024-05-01T11:59:00Z' })), 'Succeeded');
});

test('pod-level reasons, scheduling gates and readiness gates', () => {
  assert.equal(statusOf(pod({}, { phase: 'Failed', reason: 'Evicted' })), 'Evicted');
  assert.equal(statusOf(pod({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] })), 'SchedulingGated');
  const gated = pod({ readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] }, { phase: 'Running', conditions: [{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }] });
  assert.equal(cells(gated)[8], '1/2');
});
