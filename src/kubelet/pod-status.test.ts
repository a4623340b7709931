import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePodStatus, podPhase } from './pod-status.js';
import type { ContainerInfo, PodRuntime } from './runtime-cache.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions walk loosely typed JSON
type J = any;
const running = { state: { running: {} }, lastState: {} };
const exited = (code: number) => ({ state: { terminated: { exitCode: code } }, lastState: {} });
const waiting = { state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} };
const restarting = { state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } };

test('phase follows upstream getPhase', () => {
  assert.equal(podPhase('Always', [], [waiting]), 'Pending');
  assert.equal(podPhase('Always', [], [running, waiting]), 'Pending');
  assert.equal(podPhase('Always', [], [running]), 'Running');
  assert.equal(podPhase('Always', [], [restarting]), 'Running');
  assert.equal(podPhase('Never', [], [exited(0), exited(0)]), 'Succeeded');
  assert.equal(podPhase('Never', [], [exited(0), exited(2)]), 'Failed');
  assert.equal(podPhase('OnFailure', [], [exited(2)]), 'Running');
  assert.equal(podPhase('Always', [exited(0), running], [waiting]), 'Pending');
  assert.equal(podPhase('Never', [exited(1)], [waiting]), 'Failed');
  assert.equal(podPhase('OnFailure', [restarting], [waiting]), 'Pending');
});

function info(name: string, over: Partial<ContainerInfo>): ContainerInfo {
  return { id: `${name}-${over.attempt ?? 0}`, sandboxId: 's1', name, attempt: 0, state: 'CONTAINER_RUNNING', createdAt: 1000, startedAt: 2000, finishedAt: 0, exitCode: 0, reason: '', message: '', image: 'img', imageRef: 'sha256:abc', hash: '', logPath: '', annotations: {}, ...over };
}

test('container statuses, restart counts, last state and conditions', () => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
    spec: { containers: [{ name: 'web', image: 'img' }, { name: 'crash', image: 'img' }], restartPolicy: 'Always' },
    status: { qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  };
  const rt: PodRuntime = {
    uid: 'u1', name: 'p', namespace: 'ns',
    sandboxes: [{ id: 's1', attempt: 0, state: 'SANDBOX_READY', createdAt: 1, ip: '10.42.0.5', ips: ['10.42.0.5'] }],
    containers: [info('web', {}), info('crash', { attempt: 3, state: 'CONTAINER_EXITED', exitCode: 1, finishedAt: 5000, reason: 'Error' }), info('crash', { attempt: 2, state: 'CONTAINER_EXITED', exitCode: 1, finishedAt: 3000, reason: 'Error' })],
  };
  const st = computePodStatus({
    pod, runtime: rt, hostIP: '192.168.1.2', podIPs: ['10.42.0.5'],
    waiting: new Map([['crash', { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=crash pod=p_ns(u1)' }]]),
    ready: () => true, started: () => true, terminationMessage: () => undefined,
  }) as Record<string, never> as J;
  assert.equal(st.phase, 'Running');
  assert.equal(st.podIP, '10.42.0.5');
  assert.equal(st.qosClass, 'BestEffort');
  const [web, crash] = st.containerStatuses;
  assert.equal(web.ready, true);
  assert.ok(web.state.running.startedAt);
  assert.equal(web.containerID, 'containerd://web-0');
  assert.equal(crash.restartCount, 3);
  assert.equal(crash.state.waiting.reason, 'CrashLoopBackOff');
  assert.equal(crash.lastState.terminated.exitCode, 1);
  assert.equal(crash.ready, false);
  const cond = Object.fromEntries(st.conditions.map((c: J) => [c.type, c]));
  assert.equal(cond.Ready.status, 'False');
  assert.equal(cond.Ready.message, 'containers with unready status: [crash]');
  assert.equal(cond.PodScheduled.status, 'True');
  assert.equal(cond.Initialized.status, 'True');
});

test('no runtime yet: containers wait in ContainerCreating, behind PodInitializing when init containers exist', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u2' }, spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'c' }] } };
  const st = computePodStatus({ pod, runtime: undefined, hostIP: 'h', podIPs: [], waiting: new Map(), ready: () => false, started: () => false, terminationMessage: () => undefined }) as Record<string, never> as J;
  assert.equal(st.phase, 'Pending');
  assert.equal(st.initContainerStatuses[0].state.waiting.reason, 'PodInitializing');
  assert.equal(st.containerStatuses[0].state.waiting.reason, 'PodInitializing');
  assert.equal(st.conditions.find((c: J) => c.type === 'Initialized').message, 'containers with incomplete status: [init]');
});
