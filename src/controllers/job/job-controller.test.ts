import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../../test/support/cluster.js';
import type { TestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import { createJobController } from './job-controller.js';
import type { Job, JobCondition, Pod } from './types.js';

const NS = 'default';
const jobsPath = `/apis/batch/v1/namespaces/${NS}/jobs`;

async function start(): Promise<TestCluster> {
  const c = await startTestCluster();
  const ctx = c.context();
  // Failed pods are recreated after 50 ms, 100 ms, ... instead of upstream's 10 s, 20 s, ...
  void createJobController({ backoffBaseMs: 50, backoffMaxMs: 400 }).start(ctx, c.signal);
  ctx.informers.start(c.signal);
  return c;
}

function job(name: string, spec: Record<string, unknown>): KObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } }, ...spec },
  };
}

async function pods(c: TestCluster, jobName: string): Promise<Pod[]> {
  return (await c.client.list<Pod>(`/api/v1/namespaces/${NS}/pods?labelSelector=batch.kubernetes.io/job-name=${jobName}`)).items;
}

/** Polls like `until`, typed to the value found. */
async function waitFor<T>(fn: () => Promise<T | undefined | false | null>, ms: number, what: string): Promise<T> {
  return (await until(fn, ms, what)) as T;
}

const running = (p: Pod): boolean => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/** Plays the kubelet: the pod's container exits with `exitCode`. */
async function finish(c: TestCluster, p: Pod, exitCode: number, extra: Record<string, unknown> = {}): Promise<void> {
  await c.client.patch(`/api/v1/namespaces/${NS}/pods/${p.metadata.name}/status`, {
    status: {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: new Date().toISOString() } } }],
      ...extra,
    },
  });
}

async function getJob(c: TestCluster, name: string): Promise<Job> {
  return c.client.get<Job>(`${jobsPath}/${name}`);
}

function condition(j: Job, type: string): JobCondition | undefined {
  return j.status?.conditions?.find((x) => x.type === type && x.status === 'True');
}

async function events(c: TestCluster, name: string): Promise<string[]> {
  const list = await c.client.list<KObject & { reason: string; message: string; involvedObject: { name: string } }>(`/api/v1/namespaces/${NS}/events`);
  return list.items.filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);
}

test('completions 4 / parallelism 2: at most 2 pods run, then Complete', async () => {
  const c = await start();
  try {
    await c.client.create(jobsPath, job('pi', { completions: 4, parallelism: 2 }));
    let succeeded = 0;
    while (succeeded < 4) {
      const live = await waitFor(async () => {
        const ps = (await pods(c, 'pi')).filter(running);
        return ps.length > 0 ? ps : undefined;
      }, 10_000, 'a running pod');
      assert.ok(live.length <= 2, `at most 2 active, saw ${live.length}`);
      const p = live[0]!;
      assert.deepEqual(p.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
      assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'Job');
      assert.equal(p.metadata.ownerReferences?.[0]?.controller, true);
      assert.equal(p.metadata.labels?.['job-name'], 'pi');
      assert.ok(p.metadata.labels?.['controller-uid']);
      await finish(c, p, 0);
      succeeded++;
      // Wait until the controller has counted it before looking for the next pod.
      await waitFor(async () => ((await getJob(c, 'pi')).status?.succeeded ?? 0) >= succeeded, 10_000, `${succeeded} succeeded`);
    }
    const j = await waitFor(async () => {
      const j = await getJob(c, 'pi');
      return condition(j, 'Complete') ? j : undefined;
    }, 10_000, 'Complete');
    assert.equal(j.status?.succeeded, 4);
    assert.equal(j.status?.active, undefined);
    assert.equal(j.status?.ready, 0);
    assert.equal(j.status?.terminating, 0);
    assert.deepEqual(j.status?.uncountedTerminatedPods, {});
    assert.ok(j.status?.completionTime && j.status.startTime);
    assert.equal(condition(j, 'SuccessCriteriaMet')?.reason, 'CompletionsReached');
    assert.equal(condition(j, 'Complete')?.message, 'Reached expected number of succeeded pods');
    // Counted pods lose the finalizer.
    for (const p of await pods(c, 'pi')) assert.deepEqual(p.metadata.finalizers ?? [], []);
    assert.equal((await pods(c, 'pi')).length, 4);
    const ev = await waitFor(async () => {
      const ev = await events(c, 'pi');
      return ev.includes('Completed: Job completed') ? ev : undefined;
    }, 5000, 'Completed event');
    assert.equal(ev.filter((e) => e.startsWith('SuccessfulCreate: Created pod: pi-')).length, 4);
  } finally {
    await c.stop();
  }
});

test('a failing Job stops at backoffLimit with the Failed condition', async () => {
  const c = await start();
  try {
    await c.client.create(jobsPath, job('boom', { backoffLimit: 1 }));
    for (let failures = 1; failures <= 2; failures++) {
      const p = await waitFor(async () => (await pods(c, 'boom')).find(running), 10_000, `pod ${failures}`);
      await finish(c, p, 1);
      await waitFor(async () => ((await getJob(c, 'boom')).status?.failed ?? 0) >= failures, 10_000, `${failures} failed`);
    }
    const j = await waitFor(async () => {
      const j = await getJob(c, 'boom');
      return condition(j, 'Failed') ? j : undefined;
    }, 10_000, 'Failed');
    assert.equal(j.status?.failed, 2);
    assert.equal(condition(j, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(condition(j, 'Failed')?.message, 'Job has reached the specified backoff limit');
    assert.equal(condition(j, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    assert.equal(j.status?.completionTime, undefined);
    const all = await pods(c, 'boom');
    assert.equal(all.length, 2, 'no third pod');
    assert.ok(all.every((p) => !running(p)));
    await waitFor(async () => (await events(c, 'boom')).includes('BackoffLimitExceeded: Job has reached the specified backoff limit'), 5000, 'event');
  } finally {
    await c.stop();
  }
});

test('Indexed completion mode: one pod per index, completedIndexes as intervals', async () => {
  const c = await start();
  try {
    await c.client.create(jobsPath, job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const ps = await waitFor(async () => {
      const ps = (await pods(c, 'idx')).filter(running);
      return ps.length === 3 ? ps : undefined;
    }, 10_000, '3 pods');
    const byIndex = new Map(ps.map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], p]));
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    const p1 = byIndex.get('1')!;
    assert.equal(p1.metadata.labels?.['batch.kubernetes.io/job-completion-index'], '1');
    assert.equal(p1.spec?.hostname, 'idx-1');
    assert.ok(p1.metadata.name?.startsWith('idx-1-'));
    const env = (p1.spec?.containers?.[0] as { env?: { name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[] }).env;
    assert.equal(env?.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom?.fieldRef?.fieldPath, "metadata.annotations['batch.kubernetes.io/job-completion-index']");
    await finish(c, byIndex.get('0')!, 0);
    await finish(c, byIndex.get('2')!, 0);
    await waitFor(async () => (await getJob(c, 'idx')).status?.completedIndexes === '0,2', 10_000, 'completedIndexes 0,2');
    // A failed index is retried with a new pod for the same index.
    await finish(c, p1, 3);
    const retry = await waitFor(async () => (await pods(c, 'idx')).find((p) => running(p) && p.metadata.name !== p1.metadata.name), 10_000, 'retry of index 1');
    assert.equal(retry.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], '1');
    await finish(c, retry, 0);
    const j = await waitFor(async () => {
      const j = await getJob(c, 'idx');
      return condition(j, 'Complete') ? j : undefined;
    }, 10_000, 'Complete');
    assert.equal(j.status?.completedIndexes, '0-2');
    assert.equal(j.status?.succeeded, 3);
    assert.equal(j.status?.failed, 1);
  } finally {
    await c.stop();
  }
});
