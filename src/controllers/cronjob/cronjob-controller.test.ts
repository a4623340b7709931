import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../../test/support/cluster.js';
import type { TestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import type { Job } from '../job/types.js';
import { createCronJobController } from './cronjob-controller.js';
import type { CronJob } from './cronjob-sync.js';

const NS = 'default';
const cjPath = `/apis/batch/v1/namespaces/${NS}/cronjobs`;
const jobsPath = `/apis/batch/v1/namespaces/${NS}/jobs`;

interface Harness {
  c: TestCluster;
  /** Moves the controller's clock forward. */
  advance(ms: number): void;
}

/** A cluster with the CronJob controller on a clock that runs `offsetMs` ahead of real time. */
async function start(offsetMs: number): Promise<Harness> {
  const c = await startTestCluster();
  let offset = offsetMs;
  const ctx = c.context();
  void createCronJobController({ now: () => Date.now() + offset }).start(ctx, c.signal);
  ctx.informers.start(c.signal);
  return { c, advance: (ms) => (offset += ms) };
}

async function waitFor<T>(fn: () => Promise<T | undefined | false | null>, what: string, ms = 10_000): Promise<T> {
  return (await until(fn, ms, what)) as T;
}

function cronJob(name: string, spec: Record<string, unknown>): KObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '* * * * *',
      jobTemplate: { metadata: { labels: { app: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } } },
      ...spec,
    },
  };
}

const ownedJobs = async (c: TestCluster, uid: string): Promise<Job[]> =>
  (await c.client.list<Job>(jobsPath)).items.filter((j) => j.metadata.ownerReferences?.some((r) => r.uid === uid));

async function events(c: TestCluster, name: string): Promise<string[]> {
  const list = await c.client.list<KObject & { reason: string; message: string; involvedObject: { name: string } }>(`/api/v1/namespaces/${NS}/events`);
  return list.items.filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);
}

/** Makes the controller look again (as a resync would) after the clock moved. */
const poke = (c: TestCluster, name: string, n: number): Promise<unknown> => c.client.patch(`${cjPath}/${name}`, { metadata: { annotations: { poke: String(n) } } });

/** Plays the Job controller: marks the Job finished. */
async function complete(c: TestCluster, j: Job): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const conds = ['SuccessCriteriaMet', 'Complete'].map((type) => ({ type, status: 'True', lastProbeTime: now, lastTransitionTime: now }));
  await c.client.patch(`${jobsPath}/${j.metadata.name}/status`, { status: { startTime: now, completionTime: now, succeeded: 1, conditions: conds } });
}

test('a `* * * * *` CronJob creates its Job at the next minute', async () => {
  const { c } = await start(60_000);
  try {
    const cj = await c.client.create<CronJob>(cjPath, cronJob('tick', {}));
    const [job] = await waitFor(async () => {
      const js = await ownedJobs(c, cj.metadata.uid!);
      return js.length ? js : undefined;
    }, 'a Job');
    const created = Date.parse(cj.metadata.creationTimestamp!);
    const minute = Math.floor(created / 60_000) + 1;
    assert.equal(job!.metadata.name, `tick-${minute}`);
    assert.equal(job!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(minute * 60_000).toISOString().replace('.000Z', 'Z'));
    assert.equal(job!.metadata.labels?.app, 'tick');
    assert.deepEqual(job!.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    // The API server generated the Job's selector from its uid, as for any Job.
    assert.deepEqual(job!.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': job!.metadata.uid } });
    assert.equal(job!.spec.template.metadata?.labels?.['batch.kubernetes.io/job-name'], `tick-${minute}`);
    const status = await waitFor(async () => {
      const s = (await c.client.get<CronJob>(`${cjPath}/tick`)).status;
      return s?.active?.length ? s : undefined;
    }, 'status.active');
    assert.equal(status.active![0]!.name, `tick-${minute}`);
    assert.equal(status.lastScheduleTime, new Date(minute * 60_000).toISOString().replace('.000Z', 'Z'));
    await waitFor(async () => (await events(c, 'tick')).includes(`SuccessfulCreate: Created job tick-${minute}`), 'event');
  } finally {
    await c.stop();
  }
});

test('Forbid skips a run while one is active; finished Jobs beyond the history limit are deleted', async () => {
  const { c, advance } = await start(60_000);
  try {
    const cj = await c.client.create<CronJob>(cjPath, cronJob('lock', { concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1 }));
    const [first] = await waitFor(async () => {
      const js = await ownedJobs(c, cj.metadata.uid!);
      return js.length ? js : undefined;
    }, 'first Job');
    await waitFor(async () => (await c.client.get<CronJob>(`${cjPath}/lock`)).status?.active?.length === 1, 'active');
    advance(60_000);
    await poke(c, 'lock', 1);
    await waitFor(async () => (await events(c, 'lock')).includes('JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid'), 'JobAlreadyActive');
    assert.equal((await ownedJobs(c, cj.metadata.uid!)).length, 1);
    // The first run finishes: it leaves status.active and the pending run starts.
    await complete(c, first!);
    const second = await waitFor(async () => (await ownedJobs(c, cj.metadata.uid!)).find((j) => j.metadata.name !== first!.metadata.name), 'second Job');
    const status = await waitFor(async () => {
      const s = (await c.client.get<CronJob>(`${cjPath}/lock`)).status;
      return s?.active?.[0]?.name === second.metadata.name ? s : undefined;
    }, 'second active');
    assert.ok(status.lastSuccessfulTime);
    assert.ok((await events(c, 'lock')).includes(`SawCompletedJob: Saw completed job: ${first!.metadata.name}, condition: Complete`));
    // When the second finishes too, only the newest successful Job is kept (limit 1).
    await complete(c, second);
    await waitFor(async () => {
      const js = await ownedJobs(c, cj.metadata.uid!);
      return js.length === 1 && js[0]!.metadata.name === second.metadata.name;
    }, 'oldest finished Job deleted');
    assert.ok((await events(c, 'lock')).includes(`SuccessfulDelete: Deleted job ${first!.metadata.name}`));
  } finally {
    await c.stop();
  }
});

test('Replace deletes the running Job and starts the new one; suspend stops scheduling', async () => {
  const { c, advance } = await start(60_000);
  try {
    const cj = await c.client.create<CronJob>(cjPath, cronJob('swap', { concurrencyPolicy: 'Replace' }));
    const [first] = await waitFor(async () => {
      const js = await ownedJobs(c, cj.metadata.uid!);
      return js.length ? js : undefined;
    }, 'first Job');
    await waitFor(async () => (await c.client.get<CronJob>(`${cjPath}/swap`)).status?.active?.length === 1, 'active');
    advance(60_000);
    await poke(c, 'swap', 1);
    const [second] = await waitFor(async () => {
      const js = await ownedJobs(c, cj.metadata.uid!);
      return js.length === 1 && js[0]!.metadata.name !== first!.metadata.name ? js : undefined;
    }, 'replacement');
    const status = await waitFor(async () => {
      const s = (await c.client.get<CronJob>(`${cjPath}/swap`)).status;
      return s?.active?.length === 1 && s.active[0]!.name === second!.metadata.name ? s : undefined;
    }, 'active is the new Job');
    assert.equal(status.active!.length, 1);
    assert.ok((await events(c, 'swap')).includes(`SuccessfulDelete: Deleted job ${first!.metadata.name}`));
    // Suspended: the clock moves on, nothing new starts.
    await c.client.patch(`${cjPath}/swap`, { spec: { suspend: true } });
    advance(120_000);
    await poke(c, 'swap', 2);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual((await ownedJobs(c, cj.metadata.uid!)).map((j) => j.metadata.name), [second!.metadata.name]);
  } finally {
    await c.stop();
  }
});
