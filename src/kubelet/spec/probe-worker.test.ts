import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeWorker, type ProbedStatus, type ProbeUpdate } from './probe-worker.js';
import type { ProbeKind, ProbeResult } from './probes.js';
import type { Container, Pod, Probe } from './types.js';

function setup(kind: ProbeKind, probe: Probe, script: ProbeResult['result'][], podSpec: Partial<Pod['spec']> = {}) {
  const container: Container = { name: 'app', livenessProbe: probe, readinessProbe: probe, startupProbe: probe };
  const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [container], terminationGracePeriodSeconds: 30, ...podSpec } };
  const updates: ProbeUpdate[] = [];
  const events: string[] = [];
  let calls = 0;
  const status: ProbedStatus = { podIP: '10.0.0.1', container: { id: 'c1', running: true, startedAt: Date.now() - 60_000, started: kind !== 'startup' } };
  const prober = {
    async probe(k: ProbeKind): Promise<ProbeResult> {
      const result = script[Math.min(calls++, script.length - 1)]!;
      return { result, output: result, ...(result === 'failure' ? { event: { type: 'Warning' as const, reason: 'Unhealthy' as const, message: `${k} failed` } } : {}) };
    },
  };
  const worker = new ProbeWorker({ pod, container, kind, prober, status: () => status, onResult: (u) => updates.push(u), onEvent: (e) => events.push(e.message) });
  return { worker, updates, events, status, calls: () => calls };
}

test('readiness starts as failure and turns success after successThreshold', async () => {
  const s = setup('readiness', { successThreshold: 2 }, ['success']);
  await s.worker.doProbe();
  assert.deepEqual(s.updates, [{ kind: 'readiness', containerId: 'c1', result: 'failure' }]);
  await s.worker.doProbe();
  assert.equal(s.updates.length, 2);
  assert.equal(s.updates[1]!.result, 'success');
  await s.worker.doProbe();
  assert.equal(s.updates.length, 2, 'no update without a change');
});

test('liveness fails after failureThreshold, with the probe grace period, then holds until a new container', async () => {
  const s = setup('liveness', { failureThreshold: 3, terminationGracePeriodSeconds: 5 }, ['failure']);
  for (let i = 0; i < 3; i++) await s.worker.doProbe();
  assert.deepEqual(s.updates, [
    { kind: 'liveness', containerId: 'c1', result: 'success' },
    { kind: 'liveness', containerId: 'c1', result: 'failure', gracePeriodSeconds: 5 },
  ]);
  assert.deepEqual(s.events, ['liveness failed', 'liveness failed', 'liveness failed']);
  await s.worker.doProbe();
  assert.equal(s.calls(), 3, 'on hold');
  s.status.container = { id: 'c2', running: true, startedAt: Date.now() - 60_000, started: true };
  await s.worker.doProbe();
  assert.deepEqual(s.updates[2], { kind: 'liveness', containerId: 'c2', result: 'success' });
  assert.equal(s.calls(), 4);
});

test('the pod grace period applies when the probe sets none; unknown results are dropped', async () => {
  const s = setup('liveness', { failureThreshold: 1 }, ['unknown', 'failure']);
  await s.worker.doProbe();
  assert.equal(s.updates.length, 1);
  await s.worker.doProbe();
  assert.deepEqual(s.updates[1], { kind: 'liveness', containerId: 'c1', result: 'failure', gracePeriodSeconds: 30 });
});

test('initialDelaySeconds and the startup gate hold probes back', async () => {
  const s = setup('readiness', { initialDelaySeconds: 100 }, ['success']);
  await s.worker.doProbe();
  assert.equal(s.calls(), 0);
  s.status.container = { ...s.status.container!, startedAt: Date.now() - 200_000, started: false };
  await s.worker.doProbe();
  assert.equal(s.calls(), 0, 'not started yet');
  s.status.container.started = true;
  await s.worker.doProbe();
  assert.equal(s.calls(), 1);
  const st = setup('startup', {}, ['success']);
  await st.worker.doProbe();
  assert.deepEqual(st.updates.map((u) => u.result), ['unknown', 'success']);
  st.status.container!.started = true;
  await st.worker.doProbe();
  assert.equal(st.calls(), 1, 'startup probes stop once started');
});

test('stopped containers read as failure; terminal pods, deletion and restartPolicy Never stop the worker', async () => {
  const s = setup('readiness', {}, ['success'], { restartPolicy: 'Never' });
  s.status.container = { id: 'c1', running: false, startedAt: 0, started: true, terminated: true };
  assert.equal(await s.worker.doProbe(), false);
  assert.equal(s.worker.result, 'failure');
  const d = setup('liveness', {}, ['failure']);
  d.status.deleting = true;
  assert.equal(await d.worker.doProbe(), false);
  assert.equal(d.worker.result, 'success');
  const t = setup('readiness', {}, ['success']);
  t.status.podTerminal = true;
  assert.equal(await t.worker.doProbe(), false);
});

test('run probes every period until aborted', async () => {
  const s = setup('readiness', { periodSeconds: 1 }, ['success']);
  const ac = new AbortController();
  const worker = new ProbeWorker({ pod: s.worker['opts'].pod, container: s.worker['opts'].container, kind: 'readiness', prober: s.worker['opts'].prober, status: s.worker['opts'].status, onResult: () => {}, secondMs: 10 });
  const done = worker.run(ac.signal);
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  await done;
  const n = s.calls();
  assert.ok(n >= 4 && n <= 12, `probed ${n} times`);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(s.calls(), n, 'no probes after abort');
  assert.throws(() => new ProbeWorker({ ...s.worker['opts'], container: { name: 'bare' } }), /has no readiness probe/);
});
