import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../../test/support/cluster.js';
import type { TestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { createJobController } from './job-controller.js';
import type { Job, JobCondition, Pod } from './types.js';

const NS = 'default';
const jobsPath = `/apis/batch/v1/namespaces/${NS}/jobs`;

async function start(): Promise<TestCluster> {
  const c = await startTestCluster();
  const ctx = c.context();
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

async function fail(c: TestCluster, p: Pod, exitCode: number, conditions?: unknown[]): Promise<void> {
  await c.client.patch(`/api/v1/namespaces/${NS}/pods/${p.metadata.name}/status`, {
    status: {
      phase: 'Failed',
      ...(conditions ? { conditions } : {}),
      containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: 'Error', finishedAt: new Date().toISOString() } } }],
    },
  });
}

const getJob = (c: TestCluster, name: string): Promise<Job> => c.client.get<Job>(`${jobsPath}/${name}`);
const cond = (j: Job, type: string): JobCondition | undefined => j.status?.conditions?.find((x) => x.type === type);

async function waitCondition(c: TestCluster, name: string, type: string, status = 'True'): Promise<Job> {
  return waitFor(async () => {
    const j = await getJob(c, name);
    return cond(j, type)?.status === status ? j : undefined;
  }, 10_000, `${name} ${type}=${status}`);
}

test('suspend: no pods while suspended, resume creates them, suspending again deletes them', async () => {
  const c = await start();
  try {
    await c.client.create(jobsPath, job('sus', { suspend: true, parallelism: 2, completions: 2 }));
    let j = await waitCondition(c, 'sus', 'Suspended');
    assert.equal(cond(j, 'Suspended')?.reason, 'JobSuspended');
    assert.equal(j.status?.startTime, undefined);
    assert.equal((await pods(c, 'sus')).length, 0);
    await c.client.patch(`${jobsPath}/sus`, { spec: { suspend: false } });
    j = await waitCondition(c, 'sus', 'Suspended', 'False');
    assert.equal(cond(j, 'Suspended')?.reason, 'JobResumed');
    await waitFor(async () => (await pods(c, 'sus')).filter(running).length === 2, 10_000, '2 pods');
    await waitFor(async () => (await getJob(c, 'sus')).status?.active === 2, 10_000, 'active 2');
    await c.client.patch(`${jobsPath}/sus`, { spec: { suspend: true } });
    await waitCondition(c, 'sus', 'Suspended');
    // Deleted without being counted as failures (the finalizer goes first).
    await waitFor(async () => (await pods(c, 'sus')).length === 0, 10_000, 'pods deleted');
    j = await waitFor(async () => {
      const j = await getJob(c, 'sus');
      return j.status?.active === undefined ? j : undefined;
    }, 10_000, 'active 0');
    assert.equal(j.status?.failed, undefined);
  } finally {
    await c.stop();
  }
});

test('podFailurePolicy: Ignore does not count, FailJob fails the Job with its message', async () => {
  const c = await start();
  try {
    await c.client.create(jobsPath, job('pfp', {
      backoffLimit: 3,
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        ],
      },
    }));
    const first = await waitFor(async () => (await pods(c, 'pfp')).find(running), 10_000, 'pod');
    await fail(c, first, 137, [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }]);
    const second = await waitFor(async () => (await pods(c, 'pfp')).find((p) => running(p) && p.metadata.name !== first.metadata.name), 10_000, 'replacement');
    assert.equal((await getJob(c, 'pfp')).status?.failed, undefined, 'an ignored failure is not counted');
    await fail(c, second, 42);
    const j = await waitCondition(c, 'pfp', 'Failed');
    assert.equal(cond(j, 'Failed')?.reason, 'PodFailurePolicy');
    assert.equal(cond(j, 'Failed')?.message, `Container main for pod default/${second.metadata.name} failed with exit code 42 matching FailJob rule at index 0`);
    assert.equal(j.status?.failed, 1);
  } finally {
    await c.stop();
  }
});

test('activeDeadlineSeconds: running pods are stopped and the Job fails with DeadlineExceeded', async () => {
  const c = await start();
  try {
    // A deadline with room for both pods to be created even on a loaded machine.
    await c.client.create(jobsPath, job('slow', { activeDeadlineSeconds: 4, parallelism: 2, completions: 2 }));
    await waitFor(async () => (await pods(c, 'slow')).filter(running).length === 2, 10_000, '2 pods');
    const j = await waitCondition(c, 'slow', 'Failed');
    assert.equal(cond(j, 'Failed')?.reason, 'DeadlineExceeded');
    assert.equal(cond(j, 'Failed')?.message, 'Job was active longer than specified deadline');
    assert.equal(j.status?.failed, 2, 'stopped pods count as failed');
    assert.equal(j.status?.active, undefined);
    await waitFor(async () => (await pods(c, 'slow')).length === 0, 10_000, 'pods gone');
  } finally {
    await c.stop();
  }
});

test('deleting a Job releases the finalizer of its pods', async () => {
  const c = await start();
  try {
    await c.client.create(jobsPath, job('gone', {}));
    const p = await waitFor(async () => (await pods(c, 'gone')).find(running), 10_000, 'pod');
    // The Job is gone at once (no garbage collector runs here); its pod must not stay stuck on the
    // tracking finalizer.
    await c.client.delete(`${jobsPath}/gone`, { propagationPolicy: 'Background' });
    await waitFor(async () => {
      try {
        const fresh = await c.client.get<Pod>(`/api/v1/namespaces/${NS}/pods/${p.metadata.name}`);
        return (fresh.metadata.finalizers ?? []).length === 0;
      } catch (e) {
        return e instanceof StatusError && e.code === 404;
      }
    }, 10_000, 'finalizer removed');
  } finally {
    await c.stop();
  }
});

test('backoffLimitPerIndex: a failed index is not retried and the Job fails with FailedIndexes', async () => {
  const c = await start();
  try {
    await c.client.create(jobsPath, job('per', { completions: 2, parallelism: 2, completionMode: 'Indexed', backoffLimitPerIndex: 0 }));
    const ps = await waitFor(async () => {
      const ps = (await pods(c, 'per')).filter(running);
      return ps.length === 2 ? ps : undefined;
    }, 10_000, '2 pods');
    const ix = (p: Pod): string | undefined => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'];
    assert.ok(ps.every((p) => p.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'] === '0'));
    await fail(c, ps.find((p) => ix(p) === '0')!, 1);
    await waitFor(async () => (await getJob(c, 'per')).status?.failedIndexes === '0', 10_000, 'failedIndexes 0');
    await c.client.patch(`/api/v1/namespaces/${NS}/pods/${ps.find((p) => ix(p) === '1')!.metadata.name}/status`, { status: { phase: 'Succeeded' } });
    const j = await waitCondition(c, 'per', 'Failed');
    assert.equal(cond(j, 'Failed')?.reason, 'FailedIndexes');
    assert.equal(cond(j, 'Failed')?.message, 'Job has failed indexes');
    assert.equal(j.status?.completedIndexes, '1');
    assert.equal(j.status?.failed, 1);
    assert.equal((await pods(c, 'per')).length, 2, 'index 0 was not retried');
  } finally {
    await c.stop();
  }
});
