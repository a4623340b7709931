import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.js';
import { silentLogger } from '../../util/log.js';
import { VolumeManager } from './volume-manager.js';
import { isMountPoint } from './tmpfs.js';
import { VolumeSetUpError, type Pod, type TokenSource } from './types.js';

const isRoot = process.getuid?.() === 0;

function podOf(volumes: object[], mounts: object[] = [], extra: object = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p1', namespace: 'default', uid: `uid-${Math.random().toString(16).slice(2)}`, labels: { app: 'a' } },
    spec: { containers: [{ name: 'c', image: 'busybox', volumeMounts: mounts }], volumes, ...extra },
  } as Pod;
}

const fakeTokens: TokenSource & { calls: number } = {
  calls: 0,
  async token(pod, audience, exp) {
    this.calls++;
    return `token-for-${pod.metadata.name}-${audience || 'api'}-${exp}-${this.calls}`;
  },
};

async function withManager(fn: (c: TestCluster, vm: VolumeManager, podsDir: string) => Promise<void>, refreshPeriodMs = 100): Promise<void> {
  const c = await startTestCluster();
  const podsDir = mkdtempSync(join(tmpdir(), 'kts-pods-'));
  const vm = new VolumeManager({ client: c.client, podsDir, nodeName: 'n1', log: silentLogger, refreshPeriodMs, tokens: fakeTokens });
  try {
    await fn(c, vm, podsDir);
  } finally {
    await vm.cleanupOrphans(() => false);
    rmSync(podsDir, { recursive: true, force: true });
    await c.stop();
  }
}

test('configMap, secret, downwardAPI and projected volumes: layout, content, modes, refresh', async () => {
  await withManager(async (c, vm, podsDir) => {
    await c.client.create('/api/v1/namespaces/default/configmaps', { metadata: { name: 'cfg' }, data: { 'app.conf': 'v1', other: 'o' } });
    await c.client.create('/api/v1/namespaces/default/secrets', { metadata: { name: 'sec' }, data: { password: Buffer.from('s3cret').toString('base64') } });
    const pod = podOf(
      [
        { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o600 }] } },
        { name: 'sec', secret: { secretName: 'sec', defaultMode: 0o400 } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
        {
          name: 'all',
          projected: {
            sources: [
              { configMap: { name: 'cfg' } },
              { secret: { name: 'sec', items: [{ key: 'password', path: 'pw' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
              { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            ],
          },
        },
      ],
      [
        { name: 'cfg', mountPath: '/etc/app' },
        { name: 'all', mountPath: '/var/run/all' },
      ],
    );
    await c.client.create('/api/v1/namespaces/default/pods', pod).then((p) => (pod.metadata = (p as Pod).metadata));
    await vm.setUp(pod);
    const vols = join(podsDir, pod.metadata.uid!, 'volumes');
    const cfg = join(vols, 'kubernetes.io~configmap/cfg');
    assert.equal(readFileSync(join(cfg, 'conf/app.conf'), 'utf8'), 'v1');
    assert.equal(readlinkSync(join(cfg, 'conf')), '..data/conf');
    assert.equal(statSync(join(cfg, 'conf/app.conf')).mode & 0o777, 0o600);
    assert.ok(!existsSync(join(cfg, 'other')), 'only the listed item');
    const sec = join(vols, 'kubernetes.io~secret/sec');
    assert.equal(readFileSync(join(sec, 'password'), 'utf8'), 's3cret');
    assert.equal(statSync(join(sec, 'password')).mode & 0o777, 0o400);
    if (isRoot) assert.ok(await isMountPoint(sec), 'secrets live on tmpfs');
    const info = join(vols, 'kubernetes.io~downward-api/info');
    assert.equal(readFileSync(join(info, 'labels'), 'utf8'), 'app="a"');
    const all = join(vols, 'kubernetes.io~projected/all');
    assert.equal(readFileSync(join(all, 'app.conf'), 'utf8'), 'v1');
    assert.equal(readFileSync(join(all, 'pw'), 'utf8'), 's3cret');
    assert.equal(readFileSync(join(all, 'namespace'), 'utf8'), 'default');
    assert.match(readFileSync(join(all, 'token'), 'utf8'), /^token-for-p1-api-3607-/);

    assert.deepEqual(vm.mounts(pod, pod.spec.containers[0]!), [
      { containerPath: '/etc/app', hostPath: cfg, readonly: true, propagation: 'private' },
      { containerPath: '/var/run/all', hostPath: all, readonly: true, propagation: 'private' },
    ]);

    // Changes reach the files through the periodic refresh, labels included.
    const ac = new AbortController();
    const running = vm.run(ac.signal);
    await c.client.patch('/api/v1/namespaces/default/configmaps/cfg', { data: { 'app.conf': 'v2' } });
    await c.client.patch('/api/v1/namespaces/default/pods/p1', { metadata: { labels: { app: 'b' } } });
    await until(() => readFileSync(join(cfg, 'conf/app.conf'), 'utf8') === 'v2' && readFileSync(join(all, 'app.conf'), 'utf8') === 'v2', 5000, 'configmap refresh');
    await until(() => readFileSync(join(info, 'labels'), 'utf8') === 'app="b"', 5000, 'labels refresh');
    ac.abort();
    await running;

    await vm.tearDown(pod.metadata.uid!);
    assert.ok(!existsSync(vols));
    if (isRoot) assert.equal(await isMountPoint(sec), false);
  });
});

test('missing sources fail with upstream messages; optional ones are tolerated', async () => {
  await withManager(async (c, vm) => {
    const pod = podOf([
      { name: 'a', configMap: { name: 'nope' } },
      { name: 'b', secret: { secretName: 'gone' } },
      { name: 'c', configMap: { name: 'maybe', optional: true } },
      { name: 'd', iscsi: { targetPortal: 'x' } },
    ]);
    await assert.rejects(vm.setUp(pod), (e: unknown) => {
      assert.ok(e instanceof VolumeSetUpError);
      assert.deepEqual(
        e.failures.map((f) => f.message),
        [
          'MountVolume.SetUp failed for volume "a" : configmap "nope" not found',
          'MountVolume.SetUp failed for volume "b" : secret "gone" not found',
          'MountVolume.SetUp failed for volume "d" : volume type "iscsi" is not supported by this node',
        ],
      );
      return true;
    });
    await c.client.create('/api/v1/namespaces/default/configmaps', { metadata: { name: 'cm' }, data: { a: '1' } });
    await assert.rejects(vm.setUp(podOf([{ name: 'v', configMap: { name: 'cm', items: [{ key: 'zz', path: 'zz' }] } }])), {
      message: 'MountVolume.SetUp failed for volume "v" : configmap references non-existent config key: zz',
    });
  });
});

test('emptyDir on disk and in memory, fsGroup ownership, orphan cleanup', async () => {
  await withManager(async (_c, vm, podsDir) => {
    const pod = podOf(
      [
        { name: 'scratch', emptyDir: {} },
        { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
      ],
      [{ name: 'scratch', mountPath: '/scratch', subPath: 'x' }],
      { securityContext: { fsGroup: 2000 } },
    );
    if (!isRoot) (pod.spec.volumes as object[]).pop();
    await vm.setUp(pod);
    const scratch = join(podsDir, pod.metadata.uid!, 'volumes/kubernetes.io~empty-dir/scratch');
    const st = statSync(scratch);
    assert.equal(st.mode & 0o7777, 0o2777);
    assert.equal(st.gid, 2000);
    assert.deepEqual(vm.mounts(pod, pod.spec.containers[0]!), [{ containerPath: '/scratch', hostPath: join(scratch, 'x'), readonly: false, propagation: 'private' }]);
    if (isRoot) {
      const mem = join(podsDir, pod.metadata.uid!, 'volumes/kubernetes.io~empty-dir/mem');
      assert.ok(await isMountPoint(mem));
      const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === mem)!;
      assert.match(line, /size=8192k/);
    }
    // A pod the kubelet no longer knows: everything under its directory goes.
    assert.deepEqual(await vm.cleanupOrphans((uid) => uid === 'someone-else'), [pod.metadata.uid]);
    assert.ok(!existsSync(join(podsDir, pod.metadata.uid!)));
  });
});

test('orphan cleanup asks at teardown time: a pod that arrived since the caller looked keeps its volumes', async () => {
  await withManager(async (_c, vm, podsDir) => {
    const pod = podOf([{ name: 'scratch', emptyDir: {} }], [{ name: 'scratch', mountPath: '/scratch' }]);
    const uid = pod.metadata.uid!;
    await vm.setUp(pod);
    assert.equal(vm.isSetUp(uid), true);
    // The kubelet's view when the cleanup started did not have the pod yet (it was being set up):
    // the first answer says inactive, the one under the pod's lock says active.
    let asked = 0;
    assert.deepEqual(await vm.cleanupOrphans((u) => u === uid && ++asked > 1), []);
    assert.ok(asked >= 2, 'asked again under the lock');
    assert.equal(vm.isSetUp(uid), true);
    assert.ok(existsSync(join(podsDir, uid, 'volumes/kubernetes.io~empty-dir/scratch')));
    assert.equal(vm.mounts(pod, pod.spec.containers[0]!).length, 1);
    // Once gone for good, the pod's volumes and state go; a later set-up starts over.
    assert.deepEqual(await vm.cleanupOrphans(() => false), [uid]);
    assert.equal(vm.isSetUp(uid), false);
    assert.throws(() => vm.mounts(pod, pod.spec.containers[0]!), /cannot find volume "scratch"/);
    await vm.setUp(pod);
    assert.equal(vm.mounts(pod, pod.spec.containers[0]!).length, 1);
  });
});
