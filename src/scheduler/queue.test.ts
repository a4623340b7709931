import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulingQueue } from './queue.js';
import { newPodInfo } from './pod-info.js';
import { makePod } from './testing.js';

test('activeQ pops by priority, then arrival', async () => {
  let now = 1000;
  const q = new SchedulingQueue({ now: () => now });
  q.add(newPodInfo(makePod('a')));
  now++;
  q.add(newPodInfo(makePod('b', { priority: 10 })));
  now++;
  q.add(newPodInfo(makePod('c')));
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.pop())!.podInfo.pod.metadata.name);
  assert.deepEqual(order, ['b', 'a', 'c']);
  q.close();
});

test('backoff doubles from 1 s to at most 10 s', () => {
  const q = new SchedulingQueue();
  const info = { podInfo: newPodInfo(makePod('x')), timestamp: 0, attempts: 0, unschedulablePlugins: new Set<string>(), popCycle: 0 };
  const d = [1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration({ ...info, attempts: a }));
  assert.deepEqual(d, [1000, 2000, 4000, 8000, 10000, 10000]);
  q.close();
});

test('unschedulable pods move back only on events that may help them; in-flight events mean backoff', async () => {
  let now = 0;
  const q = new SchedulingQueue({ now: () => now, initialBackoffMs: 1000 });
  q.add(newPodInfo(makePod('cpu')));
  const p = (await q.pop())!;
  q.requeue(p, new Set(['NodeResourcesFit']), false);
  assert.deepEqual(q.pendingCount, { active: 0, backoff: 0, unschedulable: 1, inFlight: 0 });
  q.moveAllToActiveOrBackoff('NodeUpdateLabel');
  assert.equal(q.pendingCount.unschedulable, 1);
  now += 5000; // past its backoff
  q.moveAllToActiveOrBackoff('AssignedPodDelete');
  assert.equal(q.pendingCount.active, 1);
  const again = (await q.pop())!;
  q.moveAllToActiveOrBackoff('NodeAdd'); // arrives while the pod is being scheduled
  q.requeue(again, new Set(['NodeResourcesFit']), false);
  assert.equal(q.pendingCount.unschedulable, 0);
  assert.equal(q.pendingCount.backoff + q.pendingCount.active, 1);
  q.close();
});

test('pods left unschedulable are retried after the timeout', async () => {
  let now = 0;
  const q = new SchedulingQueue({ now: () => now, maxUnschedulableMs: 60_000 });
  q.add(newPodInfo(makePod('stuck')));
  q.requeue((await q.pop())!, new Set(['NodeAffinity']), false);
  now += 30_000;
  q.moveAllToActiveOrBackoff('UnschedulableTimeout');
  assert.equal(q.pendingCount.unschedulable, 1);
  now += 31_000;
  q.moveAllToActiveOrBackoff('UnschedulableTimeout');
  assert.equal(q.pendingCount.active, 1);
  q.close();
});
