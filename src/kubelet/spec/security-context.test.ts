import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerConfigError, DEFAULT_MASKED_PATHS, containerSecurityContext, effectiveSecurityContext, imageUser, namespacesForPod, verifyRunAsNonRoot } from './security-context.js';
import type { Container, Pod } from './types.js';

const mk = (podSpec: Partial<Pod['spec']> = {}, sc?: Container['securityContext']): [Pod, Container] => {
  const c: Container = { name: 'app', image: 'busybox', securityContext: sc };
  return [{ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [c], ...podSpec } }, c];
};

test('namespace options follow host* and shareProcessNamespace', () => {
  assert.deepEqual(namespacesForPod(mk()[0]), { network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
  assert.deepEqual(namespacesForPod(mk({ shareProcessNamespace: true })[0]), { network: 'POD', pid: 'POD', ipc: 'POD' });
  assert.deepEqual(namespacesForPod(mk({ hostNetwork: true, hostPID: true, hostIPC: true, shareProcessNamespace: true })[0]), { network: 'NODE', pid: 'NODE', ipc: 'NODE' });
});

test('container fields override pod fields', () => {
  const [p, c] = mk({ securityContext: { runAsUser: 1000, runAsGroup: 2000, runAsNonRoot: true } }, { runAsUser: 1001 });
  assert.deepEqual(effectiveSecurityContext(p, c), { runAsUser: 1001, runAsGroup: 2000, runAsNonRoot: true });
});

test('image user: uid, else name, else root', () => {
  assert.deepEqual(imageUser({ uid: { value: '65534' }, username: '' }), { uid: 65534, username: '' });
  assert.deepEqual(imageUser({ uid: null, username: 'nginx' }), { username: 'nginx' });
  assert.deepEqual(imageUser({ uid: null, username: '' }), { uid: 0, username: '' });
  assert.deepEqual(imageUser(undefined), { uid: 0, username: '' });
});

test('runAsNonRoot refuses root with upstream messages', () => {
  const [p, c] = mk({ securityContext: { runAsNonRoot: true } });
  assert.throws(() => verifyRunAsNonRoot(p, c, { uid: 0, username: '' }), (e: Error) => e instanceof ContainerConfigError &&
    e.message === 'container has runAsNonRoot and image will run as root (pod: "p_ns(u)", container: app)');
  assert.throws(() => verifyRunAsNonRoot(p, c, { username: 'nginx' }), /image has non-numeric user \(nginx\), cannot verify user is non-root/);
  verifyRunAsNonRoot(p, c, { uid: 1000, username: '' });
  const [p2, c2] = mk({ securityContext: { runAsNonRoot: true } }, { runAsUser: 0 });
  assert.throws(() => verifyRunAsNonRoot(p2, c2, { uid: 1000, username: '' }), /container's runAsUser breaks non-root policy/);
  const [p3, c3] = mk({}, { runAsNonRoot: false });
  verifyRunAsNonRoot(p3, c3, { uid: 0, username: '' });
});

test('CRI security context: users, groups, capabilities, no_new_privs, masked paths, seccomp', () => {
  const [p, c] = mk(
    { securityContext: { fsGroup: 2000, supplementalGroups: [3000, 3001], runAsGroup: 5 } },
    { capabilities: { add: ['NET_ADMIN', 'CAP_SYS_TIME'], drop: ['all'] }, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' } },
  );
  const sc = containerSecurityContext(p, c, { uid: 10, username: '' });
  assert.deepEqual(sc.capabilities, { addCapabilities: ['NET_ADMIN', 'SYS_TIME'], dropCapabilities: ['ALL'] });
  assert.deepEqual(sc.runAsUser, { value: 10 });
  assert.deepEqual(sc.runAsGroup, { value: 5 });
  assert.deepEqual(sc.supplementalGroups, [2000, 3000, 3001]);
  assert.equal(sc.noNewPrivs, true);
  assert.equal(sc.readonlyRootfs, true);
  assert.deepEqual(sc.maskedPaths, DEFAULT_MASKED_PATHS);
  assert.ok(sc.readonlyPaths!.includes('/proc/sys'));
  assert.deepEqual(sc.seccomp, { profileType: 'RuntimeDefault' });
  assert.deepEqual(sc.namespaceOptions, { network: 'POD', pid: 'CONTAINER', ipc: 'POD' });

  const [p2, c2] = mk({}, { privileged: true, allowPrivilegeEscalation: true });
  const priv = containerSecurityContext(p2, c2, { username: 'nginx' });
  assert.equal(priv.privileged, true);
  assert.equal(priv.noNewPrivs, undefined);
  assert.deepEqual(priv.maskedPaths, []);
  assert.equal(priv.runAsUser, undefined);
  assert.equal(priv.runAsUsername, 'nginx');
  assert.deepEqual(priv.seccomp, { profileType: 'Unconfined' });
  const [p3, c3] = mk({}, { procMount: 'Unmasked' });
  assert.deepEqual(containerSecurityContext(p3, c3, { uid: 0, username: '' }).readonlyPaths, []);
});

test('Localhost seccomp needs a profile root', () => {
  const [p, c] = mk({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'prof.json' } } });
  assert.deepEqual(containerSecurityContext(p, c, { uid: 0, username: '' }, { seccompProfileRoot: '/var/lib/kubelet/seccomp/' }).seccomp, { profileType: 'Localhost', localhostRef: '/var/lib/kubelet/seccomp/prof.json' });
  assert.throws(() => containerSecurityContext(p, c, { uid: 0, username: '' }), ContainerConfigError);
});
