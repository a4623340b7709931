import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, until } from '../../test/support/cluster.js';
import { StatusError } from '../api/errors.js';
import { silentLogger } from '../util/log.js';
import { buildAgentConfig } from '../agent/config.js';
import { runSimulatedAgent } from '../agent/simulated-agent.js';
import { runScheduler } from '../scheduler/index.js';
import { localPathConfigMap, localPathStorageClass } from '../server/local-storage.js';
import { VolumeManager } from '../kubelet/volumes/volume-manager.js';
import { LocalPathReclaimer } from '../kubelet/volumes/local-path-reclaimer.js';
import type { Pod } from '../kubelet/volumes/types.js';
import { nodeIpamController } from './node-ipam.js';
import { serviceAccountController } from './serviceaccount.js';
import { rootCaPublisherController } from './root-ca-publisher.js';
import { persistentVolumeBinderController } from './pv-binder.js';
import { localPathProvisionerController, storageDirFor } from './local-path-provisioner.js';
import type { PV, PVC } from './util/volume-match.js';

test('local-path config: node entries win over the default', () => {
  const json = JSON.stringify({ nodePathMap: [{ node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: ['/data/default'] }, { node: 'n2', paths: ['/data/n2/'] }] });
  assert.equal(storageDirFor(json, 'n1'), '/data/default');
  assert.equal(storageDirFor(json, 'n2'), '/data/n2');
  assert.throws(() => storageDirFor('{"nodePathMap":[]}', 'n1'), /no local path available on node n1/);
});

test('local-path: a claim of the default class gets a volume on the scheduled node, bound, created by the kubelet, deleted when released', async () => {
  const c = await startTestCluster();
  const storageDir = mkdtempSync(join(tmpdir(), 'kts-storage-'));
  const podsDir = mkdtempSync(join(tmpdir(), 'kts-pods-'));
  const ac = new AbortController();
  try {
    await c.client.create('/apis/storage.k8s.io/v1/storageclasses', localPathStorageClass());
    await c.client.create('/api/v1/namespaces/kube-system/configmaps', localPathConfigMap(storageDir));
    const ctx = c.context({ rootCaPem: c.caPem });
    void nodeIpamController.start(ctx, ac.signal);
    void serviceAccountController.start(ctx, ac.signal);
    void rootCaPublisherController.start(ctx, ac.signal);
    void persistentVolumeBinderController.start(ctx, ac.signal);
    void localPathProvisionerController.start(ctx, ac.signal);
    ctx.informers.start(ac.signal);
    void runScheduler({ client: c.client, log: silentLogger }, ac.signal);
    const agent = runSimulatedAgent(buildAgentConfig({ simulated: true, server: c.url, token: 'x', nodes: '2', 'node-name': 'sim' }), c.client, silentLogger, ac.signal);
    await agent.registered;

    // No class given: the DefaultStorageClass admission picks local-path.
    const claim = await c.client.create<PVC>('/api/v1/namespaces/default/persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
    });
    assert.equal((claim.spec as { storageClassName?: string }).storageClassName, 'local-path');
    // WaitForFirstConsumer: nothing happens before a pod uses it.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await c.client.list('/api/v1/persistentvolumes')).items.length, 0);

    await c.client.create('/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'db' },
      spec: { containers: [{ name: 'db', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/var/lib/db' }] }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] },
    });
    const pod = (await until(async () => {
      const p = await c.client.get<Pod>('/api/v1/namespaces/default/pods/db');
      return p.spec.nodeName ? p : undefined;
    }, 15_000, 'pod scheduled'))!;
    const node = pod.spec.nodeName!;
    const pvName = `pvc-${claim.metadata.uid}`;
    await until(async () => (await c.client.get<PVC>('/api/v1/namespaces/default/persistentvolumeclaims/data')).status?.phase === 'Bound', 15_000, 'claim bound');
    const pv = await c.client.get<PV & { spec: { hostPath: { path: string; type: string } } }>(`/api/v1/persistentvolumes/${pvName}`);
    const dir = join(storageDir, `${pvName}_default_data`);
    assert.deepEqual(pv.spec.hostPath, { path: dir, type: 'DirectoryOrCreate' });
    assert.deepEqual(pv.spec.capacity, { storage: '2Gi' });
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.deepEqual(pv.spec.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, [node]);
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');

    // The node's kubelet makes the directory when it sets the pod's volumes up.
    assert.ok(!existsSync(dir));
    const vm = new VolumeManager({ client: c.client, podsDir, nodeName: node, log: silentLogger });
    // The kube-api-access volume needs the default account and kube-root-ca.crt, made concurrently.
    await until(() => vm.setUp(pod).then(() => true, () => false), 15_000, 'volumes set up');
    assert.ok(statSync(dir).isDirectory());
    const access = pod.spec.volumes!.find((v) => String(v.name).startsWith('kube-api-access-'))!;
    const accessDir = join(podsDir, pod.metadata.uid!, 'volumes/kubernetes.io~projected', String(access.name));
    assert.equal(readFileSync(join(accessDir, 'ca.crt'), 'utf8'), c.caPem);
    assert.equal(readFileSync(join(accessDir, 'namespace'), 'utf8'), 'default');
    assert.match(readFileSync(join(accessDir, 'token'), 'utf8'), /^ey/);
    assert.deepEqual(vm.mounts(pod, pod.spec.containers[0]!), [
      { containerPath: '/var/lib/db', hostPath: dir, readonly: false, propagation: 'private' },
      { containerPath: '/var/run/secrets/kubernetes.io/serviceaccount', hostPath: accessDir, readonly: true, propagation: 'private' },
    ]);

    // Only the kubelet of the PV's node reclaims it.
    const other = new LocalPathReclaimer({ client: c.client, nodeName: node === 'sim-0' ? 'sim-1' : 'sim-0', storageDir, log: silentLogger });
    const mine = new LocalPathReclaimer({ client: c.client, nodeName: node, storageDir, log: silentLogger });
    void other.run(ac.signal);
    void mine.run(ac.signal);
    await c.client.delete('/api/v1/namespaces/default/pods/db', { gracePeriodSeconds: 0 });
    await vm.tearDown(pod.metadata.uid!);
    await c.client.delete('/api/v1/namespaces/default/persistentvolumeclaims/data');
    await c.client.patch('/api/v1/namespaces/default/persistentvolumeclaims/data', { metadata: { finalizers: null } }).catch((e) => {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    });
    await until(async () => {
      try {
        await c.client.get(`/api/v1/persistentvolumes/${pvName}`);
        return false;
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) return true;
        throw e;
      }
    }, 15_000, 'PV deleted');
    assert.ok(!existsSync(dir), 'directory removed');
  } finally {
    ac.abort();
    await c.stop();
    rmSync(storageDir, { recursive: true, force: true });
    rmSync(podsDir, { recursive: true, force: true });
  }
});
