import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerConfigError, containerConfig, containerHash, createTerminationMessageFile, podCgroupParent, qosClass } from './container-config.js';
import type { Container, Pod } from './types.js';

const GiB = 1024 ** 3;
const container = (over: Partial<Container> = {}): Container => ({
  name: 'web',
  image: 'busybox:latest',
  command: ['sh', '-c', 'echo $(GREETING) $$(HOME)'],
  args: ['$(MISSING)'],
  ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIP: '127.0.0.1' }],
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  resources: { requests: { cpu: '100m', memory: '128Mi' } },
  ...over,
});
const pod = (c: Container, over: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', labels: { app: 'x' } },
  spec: { containers: [c], terminationGracePeriodSeconds: 30, ...over },
});

test('a full ContainerConfig as upstream builds it', () => {
  const c = container({ lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 1'] } } }, workingDir: '/srv', tty: true, stdin: true });
  const p = pod(c);
  const cfg = containerConfig(p, c, {
    attempt: 2, restartCount: 2, nodeMemoryBytes: 4 * GiB, env: [{ key: 'GREETING', value: 'hi' }],
    mounts: [{ containerPath: '/data', hostPath: '/var/lib/kubelet/pods/uid-1/volumes/x/data', readonly: true, propagation: 'rslave' }],
    hostsPath: '/pods/uid-1/etc-hosts', terminationMessageHostPath: '/pods/uid-1/containers/web/abcd', imageRef: 'sha256:feed',
    image: { uid: { value: '1000' }, username: '' },
  });
  assert.deepEqual(cfg.metadata, { name: 'web', attempt: 2 });
  assert.deepEqual(cfg.image, { image: 'sha256:feed' });
  assert.deepEqual(cfg.command, ['sh', '-c', 'echo hi $(HOME)']);
  assert.deepEqual(cfg.args, ['$(MISSING)']);
  assert.equal(cfg.workingDir, '/srv');
  assert.equal(cfg.logPath, 'web/2.log');
  assert.equal(cfg.tty, true);
  assert.equal(cfg.stdin, true);
  assert.equal(cfg.stdinOnce, false);
  assert.deepEqual(cfg.envs, [{ key: 'GREETING', value: 'hi' }]);
  assert.deepEqual(cfg.mounts, [
    { containerPath: '/data', hostPath: '/var/lib/kubelet/pods/uid-1/volumes/x/data', readonly: true, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
    { containerPath: '/etc/hosts', hostPath: '/pods/uid-1/etc-hosts', readonly: false, selinuxRelabel: true },
    { containerPath: '/dev/termination-log', hostPath: '/pods/uid-1/containers/web/abcd', readonly: false, selinuxRelabel: true },
  ]);
  assert.deepEqual(cfg.labels, { 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.pod.uid': 'uid-1', 'io.kubernetes.container.name': 'web' });
  assert.deepEqual(cfg.annotations, {
    'io.kubernetes.container.hash': containerHash(c),
    'io.kubernetes.container.restartCount': '2',
    'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
    'io.kubernetes.container.terminationMessagePolicy': 'File',
    'io.kubernetes.pod.terminationGracePeriod': '30',
    'io.kubernetes.container.preStopHandler': '{"exec":{"command":["sh","-c","sleep 1"]}}',
    'io.kubernetes.container.ports': '[{"name":"http","containerPort":80,"protocol":"TCP"},{"hostPort":5353,"containerPort":53,"protocol":"UDP","hostIP":"127.0.0.1"}]',
  });
  assert.equal(cfg.linux?.resources?.cpuShares, 102);
  assert.equal(cfg.linux?.resources?.oomScoreAdj, 969);
  assert.deepEqual(cfg.linux?.securityContext?.runAsUser, { value: 1000 });
});

test('a volume already on /etc/hosts wins; no termination mount without a path', () => {
  const c = container({ terminationMessagePath: '' });
  const cfg = containerConfig(pod(c), c, {
    attempt: 0, restartCount: 0, nodeMemoryBytes: GiB, env: [], hostsPath: '/h', terminationMessageHostPath: '/t',
    mounts: [{ containerPath: '/etc/hosts', hostPath: '/mine', readonly: true }],
  });
  assert.deepEqual(cfg.mounts, [{ containerPath: '/etc/hosts', hostPath: '/mine', readonly: true }]);
  assert.deepEqual(cfg.image, { image: 'busybox:latest' });
  assert.equal(cfg.logPath, 'web/0.log');
});

test('runAsNonRoot with a root image is refused before creation', () => {
  const c = container();
  const p = pod(c, { securityContext: { runAsNonRoot: true } });
  assert.throws(() => containerConfig(p, c, { attempt: 0, restartCount: 0, nodeMemoryBytes: GiB, env: [], mounts: [] }),
    (e: Error) => e instanceof ContainerConfigError && e.reason === 'CreateContainerConfigError' && /container has runAsNonRoot and image will run as root \(pod: "p_ns\(uid-1\)", container: web\)/.test(e.message));
});

test('the hash ignores key order and resources, and changes with the image', () => {
  const a = container();
  const b = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(a).reverse()))) as Container;
  assert.equal(containerHash(a), containerHash(b));
  assert.equal(containerHash(a), containerHash({ ...a, resources: { limits: { cpu: '2' } } }));
  assert.notEqual(containerHash(a), containerHash({ ...a, image: 'busybox:1.36' }));
  assert.match(containerHash(a), /^[0-9a-f]{1,8}$/);
});

test('qosClass and podCgroupParent are exported here', () => {
  const c = container({ resources: { limits: { cpu: '1', memory: '1Gi' } } });
  assert.equal(qosClass(pod(c)), 'Guaranteed');
  assert.equal(podCgroupParent(pod(c)), '/kubepods/poduid-1');
});

test('termination message files are new, empty and world-writable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-tm-'));
  try {
    const a = await createTerminationMessageFile(dir, 'web');
    const b = await createTerminationMessageFile(dir, 'web');
    assert.notEqual(a, b);
    assert.equal(statSync(a).mode & 0o777, 0o666);
    assert.equal(statSync(a).size, 0);
    assert.equal(readdirSync(join(dir, 'containers', 'web')).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
