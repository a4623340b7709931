import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPodReady } from '../replicaset-pods.js';
import { HASH_LABEL, REVISION, computeHash, equalIgnoreHash, resolveFenceposts, safeEncode, type Deployment } from './util.js';
import { DEPLOYS, completeRollout, deployment, events, eventually, getDeployment, pods, replicaSets, rolloutStatus, setImage, setReady, withCluster } from './test-helpers.js';

test('pod-template-hash: safe alphabet, stable under key order, changes with collisionCount', () => {
  assert.equal(safeEncode('0123456789'), '456789bcdf');
  const a = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const b = { spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { app: 'x' } } };
  assert.equal(computeHash(a), computeHash(b));
  assert.match(computeHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.notEqual(computeHash(a, 1), computeHash(a));
  assert.ok(equalIgnoreHash({ metadata: { labels: { app: 'x', [HASH_LABEL]: 'abc' } } }, { metadata: { labels: { app: 'x' } } }));
});

test('maxSurge rounds up and maxUnavailable down; both zero means one unavailable', () => {
  const d = (surge: number | string, unavailable: number | string, replicas = 10): Deployment => ({ metadata: {}, spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } } });
  assert.deepEqual(resolveFenceposts(d('25%', '25%')), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts(d(0, '5%')), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts(d('10%', 2, 4)), { surge: 1, unavailable: 2 });
});

test('a Deployment creates its ReplicaSet and pods, reports availability and rolls out within maxSurge/maxUnavailable', async () => {
  await withCluster(async (c) => {
    await c.client.create(DEPLOYS, deployment('web', 4, 'nginx:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
    const [rs] = await eventually(async () => {
      const r = await replicaSets(c, 'web');
      return r.length === 1 && (await pods(c, 'web')).length === 4 ? r : undefined;
    }, 'first ReplicaSet and pods');
    const hash = rs!.metadata.labels![HASH_LABEL]!;
    assert.equal(rs!.metadata.name, `web-${hash}`);
    assert.equal(rs!.metadata.ownerReferences?.[0]?.kind, 'Deployment');
    assert.equal(rs!.metadata.annotations?.[REVISION], '1');
    assert.equal(rs!.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '4');
    assert.equal(rs!.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '5');
    for (const p of await pods(c, 'web')) assert.equal(p.metadata.labels?.[HASH_LABEL], hash);
    assert.match(rolloutStatus(await getDeployment(c, 'web'))[0], /0 of 4 updated replicas are available|0 out of 4/);
    const d1 = await completeRollout(c, 'web');
    assert.equal(d1.metadata.annotations?.[REVISION], '1');
    assert.deepEqual(
      { replicas: d1.status?.replicas, updated: d1.status?.updatedReplicas, ready: d1.status?.readyReplicas, available: d1.status?.availableReplicas, gen: d1.status?.observedGeneration },
      { replicas: 4, updated: 4, ready: 4, available: 4, gen: d1.metadata.generation },
    );
    const cond = (d: Deployment, t: string) => d.status?.conditions?.find((x) => x.type === t);
    await eventually(async () => cond(await getDeployment(c, 'web'), 'Progressing')?.reason === 'NewReplicaSetAvailable', 'complete condition');
    const done = await getDeployment(c, 'web');
    assert.equal(cond(done, 'Available')?.message, 'Deployment has minimum availability.');
    assert.equal(cond(done, 'Available')?.reason, 'MinimumReplicasAvailable');
    assert.equal(cond(done, 'Progressing')?.message, `ReplicaSet "web-${hash}" has successfully progressed.`);
    assert.ok((await events(c, 'web')).some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} from 0 to 4`));

    // Rolling update, one pod made ready at a time: never more than 5 pods, never fewer than 3 ready.
    await setImage(c, 'web', 'nginx:2', { 'kubernetes.io/change-cause': 'image 2' });
    let steps = 0;
    for (;;) {
      const all = await pods(c, 'web');
      assert.ok(all.length <= 5, `at most replicas+maxSurge pods (saw ${all.length})`);
      assert.ok(all.filter(isPodReady).length >= 3, `at least replicas-maxUnavailable available (saw ${all.filter(isPodReady).length})`);
      const d = await getDeployment(c, 'web');
      if (rolloutStatus(d)[1] && d.metadata.annotations?.[REVISION] === '2') break;
      const waiting = all.find((p) => !isPodReady(p) && p.metadata.labels?.[HASH_LABEL] !== hash);
      if (waiting) await setReady(c, waiting);
      await new Promise((r) => setTimeout(r, 150));
      assert.ok(++steps < 150, 'rolling update finishes');
    }
    const sets = await replicaSets(c, 'web');
    assert.equal(sets.length, 2);
    const newRS = sets.find((s) => s.metadata.labels?.[HASH_LABEL] !== hash)!;
    assert.equal(newRS.metadata.annotations?.[REVISION], '2');
    assert.equal(newRS.metadata.annotations?.['kubernetes.io/change-cause'], 'image 2');
    assert.equal(sets.find((s) => s.metadata.labels?.[HASH_LABEL] === hash)!.spec.replicas, 0);
    assert.ok((await pods(c, 'web')).every((p) => p.metadata.labels?.[HASH_LABEL] === newRS.metadata.labels?.[HASH_LABEL]));
    assert.ok((await events(c, 'web')).some((e) => e.reason === 'ScalingReplicaSet' && /^Scaled down replica set web-\w+ from \d+ to \d+$/.test(e.message ?? '')));

    // Rollback by restoring the template: the old ReplicaSet is reused and gets revision 3.
    await setImage(c, 'web', 'nginx:1');
    const back = await completeRollout(c, 'web');
    await eventually(async () => (await getDeployment(c, 'web')).metadata.annotations?.[REVISION] === '3', 'revision 3');
    const after = await replicaSets(c, 'web');
    assert.equal(after.length, 2);
    const reused = after.find((s) => s.metadata.labels?.[HASH_LABEL] === hash)!;
    assert.equal(reused.metadata.annotations?.[REVISION], '3');
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(reused.spec.replicas, 4);
    assert.equal(back.status?.updatedReplicas, 4);
  });
});

test('revisionHistoryLimit removes the oldest idle ReplicaSets', async () => {
  await withCluster(async (c) => {
    await c.client.create(DEPLOYS, deployment('hist', 1, 'v:1', { revisionHistoryLimit: 1 }));
    await completeRollout(c, 'hist');
    for (const image of ['v:2', 'v:3', 'v:4']) {
      await setImage(c, 'hist', image);
      await eventually(async () => (await replicaSets(c, 'hist')).some((rs) => (rs.spec.template?.spec as { containers: { image: string }[] }).containers[0]!.image === image), `RS for ${image}`);
      await completeRollout(c, 'hist');
    }
    const sets = await eventually(async () => {
      const r = await replicaSets(c, 'hist');
      return r.length === 2 ? r : undefined;
    }, 'history trimmed to 1 old set');
    assert.deepEqual(sets.map((rs) => rs.metadata.annotations?.[REVISION]).sort(), ['3', '4']);
  });
});
