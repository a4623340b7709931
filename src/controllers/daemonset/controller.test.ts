import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../../test/support/cluster.js';
import type { TestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';
import type { ControllerRevision } from '../history.js';
import { hashRevisionData, templatePatch } from '../history.js';
import { daemonSetController } from './controller.js';
import { targetNodeName } from './node-fit.js';
import type { DaemonPod, DaemonSet } from './types.js';

const PODS = '/api/v1/namespaces/default/pods';
const DS = '/apis/apps/v1/namespaces/default/daemonsets';

async function addNode(c: TestCluster, name: string, taints: unknown[] = []): Promise<void> {
  await c.client.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: { taints } });
}

async function livePods(c: TestCluster): Promise<DaemonPod[]> {
  const list = await c.client.list<DaemonPod>(`${PODS}?labelSelector=app%3Dagent`);
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

/** Plays the kubelet: pods pinned to a node become Running and Ready a little after creation. */
function fakeKubelet(c: TestCluster, signal: AbortSignal): Promise<void> {
  return (async () => {
    while (!signal.aborted) {
      for (const p of await livePods(c).catch(() => [])) {
        if (p.status?.phase === 'Running') continue;
        if (Date.now() - Date.parse(p.metadata.creationTimestamp!) < 150) continue;
        const now = new Date().toISOString();
        await c.client
          .patch(`${PODS}/${p.metadata.name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } })
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
}

function daemonSet(tolerations: unknown[] = [], image = 'nginx:1.27'): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { tolerations, containers: [{ name: 'a', image }] } },
    },
  };
}

test('DaemonSet: one pod per eligible node, taints, node added, rolling update', async () => {
  const c = await startTestCluster();
  const kubelet = new AbortController();
  let kubeletDone: Promise<void> | undefined;
  try {
    const ctx = c.context();
    void daemonSetController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    await addNode(c, 'n1');
    await addNode(c, 'n2');
    await addNode(c, 'n3', [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
    const created = await c.client.create<DaemonSet>(DS, daemonSet());

    // The tainted node is skipped.
    let pods: DaemonPod[] = await until(async () => {
      const p = await livePods(c);
      return p.length === 2 ? p : undefined;
    }, 10_000, 'two daemon pods') as DaemonPod[];
    assert.deepEqual(pods.map((p) => targetNodeName(p)).sort(), ['n1', 'n2']);
    const pod = pods[0]!;
    assert.equal(pod.spec?.nodeName, undefined, 'pods are bound by the scheduler, not by nodeName');
    assert.deepEqual(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.key, 'metadata.name');
    const keys = (pod.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
    for (const k of ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unschedulable:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule']) assert.ok(keys.includes(k), k);
    assert.equal(pod.metadata.ownerReferences?.[0]?.kind, 'DaemonSet');

    // The revision: named <ds>-<hash>, data is the template patch, the hash labels the pods.
    const revs = await c.client.list<ControllerRevision>('/apis/apps/v1/namespaces/default/controllerrevisions');
    assert.equal(revs.items.length, 1);
    const rev = revs.items[0]!;
    const hash = hashRevisionData(templatePatch(created.spec?.template));
    assert.equal(rev.metadata.name, `agent-${hash}`);
    assert.equal(rev.revision, 1);
    assert.equal(rev.metadata.labels?.['controller-revision-hash'], hash);
    assert.equal((rev.data as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');
    assert.equal(pod.metadata.labels?.['controller-revision-hash'], hash);

    await until(async () => {
      const ds = await c.client.get<DaemonSet>(`${DS}/agent`);
      return ds.status?.desiredNumberScheduled === 2 && ds.status.currentNumberScheduled === 2 && ds.status.observedGeneration === 1;
    }, 10_000, 'status');

    kubeletDone = fakeKubelet(c, kubelet.signal);
    // Tolerating the taint brings the third node in (a new template: a new revision).
    // Merge patches (no resourceVersion): the controller writes status concurrently.
    await c.client.patch(`${DS}/agent`, { spec: { template: { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }] } } } }, 'merge');
    pods = await until(async () => {
      const p = await livePods(c);
      return p.length === 3 && p.every((x) => x.status?.phase === 'Running') ? p : undefined;
    }, 15_000, 'a pod on the tolerated node') as DaemonPod[];
    assert.deepEqual(pods.map((p) => targetNodeName(p)).sort(), ['n1', 'n2', 'n3']);

    // A new node gets its pod.
    await addNode(c, 'n4');
    await until(async () => (await livePods(c)).some((p) => targetNodeName(p) === 'n4'), 10_000, 'pod on the new node');
    await until(async () => {
      const s = (await c.client.get<DaemonSet>(`${DS}/agent`)).status;
      return s?.numberReady === 4 && s.updatedNumberScheduled === 4 && s.numberAvailable === 4;
    }, 15_000, 'all ready');

    // Rolling update: never more than maxUnavailable (1) node without a ready pod.
    await c.client.patch(`${DS}/agent`, { spec: { template: { spec: { containers: [{ name: 'a', image: 'nginx:1.28' }] } } } }, 'merge');
    let worst = 0;
    await until(async () => {
      const live = await livePods(c);
      const readyNodes = new Set(live.filter((p) => p.status?.phase === 'Running').map((p) => targetNodeName(p)));
      worst = Math.max(worst, 4 - readyNodes.size);
      const s = (await c.client.get<DaemonSet>(`${DS}/agent`)).status;
      const images = new Set(live.map((p) => (p.spec?.containers as { image: string }[])[0]!.image));
      return s?.updatedNumberScheduled === 4 && s.numberAvailable === 4 && live.length === 4 && images.size === 1 && images.has('nginx:1.28');
    }, 20_000, 'rolled out');
    assert.ok(worst <= 1, `at most one node unavailable during the update, saw ${worst}`);
    const history = await c.client.list<ControllerRevision>('/apis/apps/v1/namespaces/default/controllerrevisions');
    assert.deepEqual(history.items.map((r) => r.revision).sort(), [1, 2, 3]);

    const events = await c.client.list<KObject & { reason: string; message: string }>('/api/v1/namespaces/default/events');
    assert.ok(events.items.some((e) => e.reason === 'SuccessfulCreate' && /^Created pod: agent-/.test(e.message)));
    assert.ok(events.items.some((e) => e.reason === 'SuccessfulDelete' && /^Deleted pod: agent-/.test(e.message)));
  } finally {
    kubelet.abort();
    await kubeletDone;
    await c.stop();
  }
});
