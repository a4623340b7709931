import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, until } from '../../test/support/cluster.js';

/** `until` for lookups: the value found (never undefined once it returns). */
const found = async <T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> => (await until(fn, ms, what)) as T;
import type { TestCluster } from '../../test/support/cluster.js';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { silentLogger } from '../util/log.js';
import { nodeIpamController } from '../controllers/node-ipam.js';
import { buildAgentConfig } from './config.js';
import { runSimulatedAgent } from './simulated-agent.js';

const cfg = buildAgentConfig({ simulated: true, server: 'https://127.0.0.1:1', token: 'secret', nodes: '2', 'node-name': 'sim', 'node-cpu': '4', 'node-label': ['zone=z1'], 'node-taint': ['dedicated=infra:NoSchedule'] });

interface PodStatusView {
  phase?: string;
  podIP?: string;
  hostIP?: string;
  startTime?: string;
  conditions?: { type: string; status: string; reason?: string }[];
  containerStatuses?: { name: string; ready: boolean; started: boolean; containerID: string; imageID: string; state: { running?: object; terminated?: { exitCode: number; reason: string } } }[];
}

const statusOf = (p: KObject) => (p.status ?? {}) as PodStatusView;
const getPod = (c: TestCluster, name: string) => c.client.get<KObject>(`/api/v1/namespaces/default/pods/${name}`);

async function createPod(c: TestCluster, name: string, node: string, extra: { annotations?: Record<string, string>; restartPolicy?: string } = {}): Promise<void> {
  await c.client.create('/api/v1/namespaces/default/pods', {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, annotations: extra.annotations },
    spec: { nodeName: node, restartPolicy: extra.restartPolicy ?? 'Always', containers: [{ name: 'app', image: 'nginx:1.27' }], initContainers: [{ name: 'init', image: 'busybox' }] },
  });
}

test('simulated nodes register, heartbeat and run the pods bound to them', async () => {
  const c = await startTestCluster();
  const ac = new AbortController();
  try {
    const ctx = c.context();
    void nodeIpamController.start(ctx, c.signal);
    ctx.informers.start(c.signal);
    const agent = runSimulatedAgent(cfg, c.client, silentLogger, ac.signal);
    assert.deepEqual(agent.names, ['sim-0', 'sim-1']);
    await agent.registered;

    const node = await c.client.get<KObject>('/api/v1/nodes/sim-1');
    const st = node.status as { capacity: Record<string, string>; conditions: { type: string; status: string; reason: string; message: string }[]; addresses: { type: string; address: string }[]; nodeInfo: Record<string, string> };
    assert.deepEqual(st.capacity, { cpu: '4', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' });
    assert.deepEqual(st.conditions.find((x) => x.type === 'Ready'), { ...st.conditions.find((x) => x.type === 'Ready'), status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    assert.equal(st.conditions.filter((x) => x.status === 'False').length, 3);
    assert.deepEqual(st.addresses.map((a) => a.type), ['InternalIP', 'Hostname']);
    assert.equal(st.nodeInfo.kubeletVersion, 'v1.32.4-kts-sim');
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'sim-1');
    assert.equal(node.metadata.labels?.zone, 'z1');
    assert.equal(node.metadata.labels?.['node.kubernetes.io/instance-type'], 'kts-simulated');
    assert.deepEqual((node.spec as { taints: object[] }).taints, [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
    // Leases follow registration within a heartbeat tick.
    const lease = await found(() => c.client.get<KObject>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/sim-0'), 5_000, 'lease');
    assert.equal((lease.spec as { holderIdentity: string }).holderIdentity, 'sim-0');
    assert.equal(lease.metadata.ownerReferences?.[0]?.kind, 'Node');

    // A long-running pod: Running and Ready with an IP from its node's pod CIDR.
    await createPod(c, 'web', 'sim-0');
    const cidr = await found(async () => ((await c.client.get<KObject>('/api/v1/nodes/sim-0')).spec as { podCIDR?: string }).podCIDR, 10_000, 'pod CIDR');
    const web = await found(async () => {
      const p = await getPod(c, 'web');
      return statusOf(p).phase === 'Running' ? p : undefined;
    }, 10_000, 'web Running');
    const ws = statusOf(web);
    assert.equal(ws.podIP, `${cidr.split('.').slice(0, 3).join('.')}.2`);
    const sim0 = await c.client.get<KObject>('/api/v1/nodes/sim-0');
    assert.equal(ws.hostIP, (sim0.status as { addresses: { address: string }[] }).addresses[0]!.address);
    assert.notEqual(ws.hostIP, st.addresses[0]!.address);
    for (const t of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) assert.equal(ws.conditions?.find((x) => x.type === t)?.status, 'True', t);
    const cs = ws.containerStatuses![0]!;
    assert.equal(cs.ready && cs.started, true);
    assert.equal(cs.imageID, 'simulated://nginx:1.27');
    assert.equal(cs.containerID, `simulated://${web.metadata.uid}-app`);
    assert.ok(cs.state.running);
    assert.equal(((web.status as { initContainerStatuses: { state: { terminated: { reason: string } } }[] }).initContainerStatuses)[0]!.state.terminated.reason, 'Completed');

    // Run-to-completion pods end after their run time with their exit code.
    await createPod(c, 'ok', 'sim-1', { restartPolicy: 'Never', annotations: { 'simulation.kts.io/run-seconds': '1' } });
    await createPod(c, 'bad', 'sim-1', { restartPolicy: 'OnFailure', annotations: { 'simulation.kts.io/run-seconds': '1', 'simulation.kts.io/exit-code': '3' } });
    const ok = await found(async () => {
      const p = await getPod(c, 'ok');
      return statusOf(p).phase === 'Succeeded' ? p : undefined;
    }, 10_000, 'ok Succeeded');
    assert.equal(statusOf(ok).containerStatuses![0]!.state.terminated?.reason, 'Completed');
    assert.equal(statusOf(ok).conditions?.find((x) => x.type === 'Ready')?.reason, 'PodCompleted');
    const bad = await found(async () => {
      const p = await getPod(c, 'bad');
      return statusOf(p).phase === 'Failed' ? p : undefined;
    }, 10_000, 'bad Failed');
    assert.deepEqual(statusOf(bad).containerStatuses![0]!.state.terminated && { code: statusOf(bad).containerStatuses![0]!.state.terminated!.exitCode, reason: statusOf(bad).containerStatuses![0]!.state.terminated!.reason }, { code: 3, reason: 'Error' });

    // Graceful deletion is confirmed by the node: the pod goes away.
    await c.client.delete('/api/v1/namespaces/default/pods/web');
    await until(async () => {
      try {
        await getPod(c, 'web');
        return false;
      } catch (e) {
        return e instanceof StatusError && e.code === 404;
      }
    }, 10_000, 'web deleted');

    // Pods of other nodes are not touched.
    await createPod(c, 'elsewhere', 'other-node');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(statusOf(await getPod(c, 'elsewhere')).phase, 'Pending');

    ac.abort();
    await agent.done;
    // Stopping leaves the nodes as they are.
    assert.equal((await c.client.list('/api/v1/nodes')).items.length, 2);
  } finally {
    ac.abort();
    await c.stop();
  }
});
