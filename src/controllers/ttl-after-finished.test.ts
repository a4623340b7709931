import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';
import type { TestCluster } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { createTtlAfterFinishedController } from './ttl-after-finished.js';
import type { Job } from './job/types.js';

const jobsPath = '/apis/batch/v1/namespaces/default/jobs';

function job(name: string, ttl?: number): KObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }), template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
  };
}

/** Plays the Job controller: the Job finished (Complete or Failed) just now. */
async function finish(c: TestCluster, name: string, type: 'Complete' | 'Failed'): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const interim = type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
  const conditions = [interim, type].map((t) => ({ type: t, status: 'True', lastProbeTime: now, lastTransitionTime: now }));
  await c.client.patch(`${jobsPath}/${name}/status`, { status: { startTime: now, ...(type === 'Complete' ? { completionTime: now } : {}), conditions } });
}

/** Deleted: gone, or (no garbage collector here) waiting on the foregroundDeletion finalizer. */
async function deleted(c: TestCluster, name: string): Promise<boolean> {
  try {
    const j = await c.client.get<Job>(`${jobsPath}/${name}`);
    return !!j.metadata.deletionTimestamp && (j.metadata.finalizers ?? []).includes('foregroundDeletion');
  } catch (e) {
    return e instanceof StatusError && e.code === 404;
  }
}

test('finished Jobs are deleted ttlSecondsAfterFinished after finishing', async () => {
  const c = await startTestCluster();
  let offset = 0;
  try {
    const ctx = c.context();
    void createTtlAfterFinishedController({ now: () => Date.now() + offset }).start(ctx, c.signal);
    ctx.informers.start(c.signal);
    for (const [name, ttl] of [['now', 0], ['soon', 1], ['later', 3600], ['never', undefined], ['running', 0]] as const) await c.client.create(jobsPath, job(name, ttl));
    await finish(c, 'now', 'Failed');
    await finish(c, 'soon', 'Complete');
    await finish(c, 'later', 'Complete');
    await finish(c, 'never', 'Complete');
    await until(() => deleted(c, 'now'), 5000, 'ttl 0 deleted');
    await until(() => deleted(c, 'soon'), 5000, 'ttl 1 deleted');
    assert.equal(await deleted(c, 'later'), false);
    // An hour later (on the controller's clock) the third one goes; the others never do.
    offset = 3600_000;
    await c.client.patch(`${jobsPath}/later`, { metadata: { labels: { touched: 'yes' } } });
    await until(() => deleted(c, 'later'), 5000, 'ttl 3600 deleted');
    assert.equal(await deleted(c, 'never'), false, 'no TTL, no deletion');
    assert.equal(await deleted(c, 'running'), false, 'unfinished Jobs stay');
  } finally {
    await c.stop();
  }
});
