import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';

/** `until` for lookups: the value found (never undefined once it returns). */
const found = async <T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> => (await until(fn, ms, what)) as T;
import type { TestCluster } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { desiredTaints, nodeLifecycleController, tolerates, tolerationTimeMs } from './node-lifecycle.js';

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };

test('toleration matching and toleration time follow upstream', () => {
  assert.equal(tolerates({ operator: 'Exists' }, unreachable), true);
  assert.equal(tolerates({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, unreachable), false);
  assert.equal(tolerates({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' }), true);
  assert.equal(tolerates({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }), false);
  assert.equal(tolerationTimeMs([unreachable], []), 0);
  assert.equal(tolerationTimeMs([unreachable], [{ operator: 'Exists' }]), Infinity);
  assert.equal(tolerationTimeMs([unreachable], [{ key: unreachable.key, operator: 'Exists', tolerationSeconds: 5 }]), 5000);
  assert.equal(tolerationTimeMs([unreachable, { key: 'other', effect: 'NoExecute' }], [{ key: unreachable.key, operator: 'Exists', tolerationSeconds: 5 }]), 0);
  const node = (ready: string, extra: object = {}): KObject => ({ metadata: { name: 'n' }, spec: extra, status: { conditions: [{ type: 'Ready', status: ready }, { type: 'DiskPressure', status: 'True' }] } });
  assert.deepEqual(desiredTaints(node('False')).map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule']);
  assert.deepEqual(desiredTaints(node('True', { unschedulable: true })).map((t) => t.key), ['node.kubernetes.io/disk-pressure', 'node.kubernetes.io/unschedulable']);
});

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const micro = () => new Date().toISOString().replace('Z', '000Z');

async function makeNode(c: TestCluster, name: string): Promise<void> {
  const cond = (type: string, status: string, reason: string) => ({ type, status, reason, message: reason, lastHeartbeatTime: now(), lastTransitionTime: now() });
  await c.client.create('/api/v1/nodes', {
    apiVersion: 'v1', kind: 'Node', metadata: { name },
    status: { conditions: [cond('Ready', 'True', 'KubeletReady'), cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'), cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'), cond('PIDPressure', 'False', 'KubeletHasSufficientPID')] },
  });
  await c.client.create('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro() } });
}

async function renew(c: TestCluster, name: string): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
  const l = await c.client.get<KObject>(path);
  await c.client.update(path, { ...l, spec: { ...(l.spec as object), renewTime: micro() } });
}

async function makePod(c: TestCluster, name: string, node: string, tolerations: object[]): Promise<void> {
  await c.client.create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }], tolerations } });
  const p = await c.client.get<KObject>(`/api/v1/namespaces/default/pods/${name}`);
  await c.client.update(`/api/v1/namespaces/default/pods/${name}/status`, { ...p, status: { ...(p.status as object), phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now() }] } });
}

const getNode = (c: TestCluster, n: string) => c.client.get<KObject>(`/api/v1/nodes/${n}`);
const taintKeys = (n: KObject) => (((n.spec as { taints?: { key: string; effect: string }[] } | undefined)?.taints) ?? []).map((t) => `${t.key}:${t.effect}`).sort();
const ready = (n: KObject) => ((n.status as { conditions: { type: string; status: string; reason?: string; message?: string }[] }).conditions).find((x) => x.type === 'Ready');
const pod = (c: TestCluster, n: string) => c.client.get<KObject>(`/api/v1/namespaces/default/pods/${n}`).catch((e) => {
  if (e instanceof StatusError && e.code === 404) return undefined;
  throw e;
});

test('a node whose lease lapses goes Unknown, is tainted, its pods evicted per tolerations; it recovers', async () => {
  const c = await startTestCluster();
  let renewing = true;
  try {
    await makeNode(c, 'n1');
    const ctx = c.context({ nodeMonitorGracePeriodMs: 2000 });
    void nodeLifecycleController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    // (An empty list would get 300 s from DefaultTolerationSeconds admission; 0 s means "evict at once".)
    await makePod(c, 'intolerant', 'n1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }]);
    await makePod(c, 'brief', 'n1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]);
    await makePod(c, 'patient', 'n1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]);
    const beat = (async () => {
      while (renewing) {
        await renew(c, 'n1').catch(() => {});
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    // Heartbeats keep it healthy past the grace period.
    await new Promise((r) => setTimeout(r, 2600));
    assert.equal(ready(await getNode(c, 'n1'))?.status, 'True');
    assert.deepEqual(taintKeys(await getNode(c, 'n1')), []);
    renewing = false;
    await beat;
    const lapsed = Date.now();
    const n = await found(async () => {
      const x = await getNode(c, 'n1');
      return ready(x)?.status === 'Unknown' && taintKeys(x).length === 2 ? x : undefined;
    }, 10_000, 'node Unknown and tainted');
    assert.ok(Date.now() - lapsed >= 1500, 'not before the grace period');
    assert.deepEqual(ready(n), { ...ready(n), reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    assert.deepEqual(taintKeys(n), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    // Not tolerated: evicted at once; tolerated 2 s: that much later; tolerated forever: stays, not ready.
    const gone1 = await found(async () => (await pod(c, 'intolerant'))?.metadata.deletionTimestamp, 5000, 'intolerant evicted');
    const gone2 = await found(async () => (await pod(c, 'brief'))?.metadata.deletionTimestamp, 6000, 'brief evicted');
    // Timestamps have whole seconds: 2 s of toleration show as at least 1 s between the two.
    assert.ok(Date.parse(gone2) - Date.parse(gone1) >= 1000, `brief evicted ${gone2}, intolerant ${gone1}`);
    const patient = await found(async () => {
      const p = await pod(c, 'patient');
      const r = ((p?.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).find((x) => x.type === 'Ready');
      return r?.status === 'False' ? p : undefined;
    }, 5000, 'patient marked not ready');
    assert.equal(patient.metadata.deletionTimestamp, undefined);
    const disruption = ((((await pod(c, 'intolerant'))!.status as { conditions: { type: string; reason?: string }[] }).conditions)).find((x) => x.type === 'DisruptionTarget');
    assert.equal(disruption?.reason, 'DeletionByTaintManager');
    await ctx.recorder.flush();
    const events = (await c.client.list('/api/v1/namespaces/default/events')).items;
    assert.ok(events.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node n1 status is now: NodeNotReady'));
    assert.ok(events.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/intolerant'));
    assert.ok(events.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node is not ready' && (e.involvedObject as { name: string }).name === 'patient'));

    // The kubelet comes back: Ready True again, taints go away.
    await renew(c, 'n1');
    const cur = await getNode(c, 'n1');
    const conds = ((cur.status as { conditions: { type: string }[] }).conditions).map((x) => ({ ...x, status: x.type === 'Ready' ? 'True' : 'False', reason: 'KubeletReady', lastHeartbeatTime: now() }));
    await c.client.patch('/api/v1/nodes/n1/status', { status: { conditions: conds } }, 'merge');
    await until(async () => taintKeys(await getNode(c, 'n1')).length === 0, 5000, 'taints removed');
  } finally {
    renewing = false;
    await c.stop();
  }
});

test('a node reporting Ready=False gets the not-ready taints', async () => {
  const c = await startTestCluster();
  try {
    await makeNode(c, 'n2');
    const ctx = c.context({ nodeMonitorGracePeriodMs: 60_000 });
    void nodeLifecycleController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    const cur = await getNode(c, 'n2');
    const conds = ((cur.status as { conditions: { type: string; status: string }[] }).conditions).map((x) => (x.type === 'Ready' ? { ...x, status: 'False', reason: 'KubeletNotReady' } : x));
    await c.client.patch('/api/v1/nodes/n2/status', { status: { conditions: conds } }, 'merge');
    const n = await found(async () => {
      const x = await getNode(c, 'n2');
      return taintKeys(x).length ? x : undefined;
    }, 5000, 'not-ready taints');
    assert.deepEqual(taintKeys(n), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
    const t = ((n.spec as { taints: { effect: string; timeAdded?: string }[] }).taints).find((x) => x.effect === 'NoExecute');
    assert.ok(t?.timeAdded, 'NoExecute taints carry timeAdded');
  } finally {
    await c.stop();
  }
});
