import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe, evaluate, namespacePolicy } from './policy.js';
import type { PodSpecView } from './pod-view.js';

const restrictedOk = (name = 'c'): PodSpecView['containers'] => [{ name, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } }];
const msg = (level: 'baseline' | 'restricted', spec: PodSpecView, annotations?: Record<string, string>) => describe(evaluate(level, { annotations }, spec));

test('an unconfigured pod passes baseline and fails restricted with upstream text, in upstream order', () => {
  const spec: PodSpecView = { containers: [{ name: 'nginx' }] };
  assert.equal(msg('baseline', spec), '');
  assert.equal(msg('restricted', spec), 'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
  assert.equal(msg('restricted', { containers: restrictedOk() }), '');
  // Pod-level settings cover containers that leave them unset.
  assert.equal(msg('restricted', { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Localhost' } }, containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }] }), '');
});

test('baseline checks: privileged, host namespaces, hostPath, hostPort, capabilities, procMount, SELinux, seccomp, sysctls, AppArmor', () => {
  const spec: PodSpecView = {
    hostNetwork: true,
    hostPID: true,
    volumes: [{ name: 'h', hostPath: { path: '/' } }, { name: 'e', emptyDir: {} }],
    securityContext: { seLinuxOptions: { type: 'spc_t' }, sysctls: [{ name: 'kernel.msgmax' }, { name: 'net.ipv4.tcp_syncookies' }], seccompProfile: { type: 'Unconfined' } },
    initContainers: [{ name: 'i', securityContext: { privileged: true } }],
    containers: [
      { name: 'a', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN', 'CHOWN'] }, procMount: 'Unmasked' }, ports: [{ hostPort: 80 }] },
      { name: 'b', securityContext: { capabilities: { add: ['NET_ADMIN'] } }, ports: [{ hostPort: 8080 }, { hostPort: 0 }] },
    ],
  };
  assert.equal(
    msg('baseline', spec, { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined' }),
    'forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/a="unconfined""), ' +
      'non-default capabilities (containers "a", "b" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add), ' +
      'host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "h"), ' +
      'hostPort (containers "a", "b" use hostPorts 80, 8080), ' +
      'privileged (containers "i", "a" must not set securityContext.privileged=true), ' +
      'procMount (container "a" must not set securityContext.procMount to "Unmasked"), ' +
      'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"), ' +
      'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined"), ' +
      'forbidden sysctls (kernel.msgmax)',
  );
});

test('restricted replaces the baseline volume, capability and seccomp checks with its own', () => {
  const spec: PodSpecView = {
    volumes: [{ name: 'h', hostPath: { path: '/' } }, { name: 'n', nfs: { server: 'x', path: '/' } }, { name: 's', secret: { secretName: 'x' } }],
    securityContext: { runAsUser: 0 },
    containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: false, capabilities: { drop: ['ALL'], add: ['SYS_TIME'] }, seccompProfile: { type: 'Unconfined' } } }],
  };
  assert.equal(
    msg('restricted', spec),
    'unrestricted capabilities (container "c" must not include "SYS_TIME" in securityContext.capabilities.add), ' +
        'restricted volume types (volumes "h", "n" use restricted volume types "hostPath", "nfs"), ' +
        'runAsNonRoot != true (container "c" must not set securityContext.runAsNonRoot=false), ' +
        'runAsUser=0 (pod must not set runAsUser=0), ' +
        'seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")',
  );
});

test('namespace labels: defaults, versions, and invalid values (enforce falls back to restricted)', () => {
  assert.deepEqual(namespacePolicy(undefined), { policy: { enforce: { level: 'privileged', version: 'latest' }, audit: { level: 'privileged', version: 'latest' }, warn: { level: 'privileged', version: 'latest' } }, errors: [] });
  const p = namespacePolicy({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.30', 'pod-security.kubernetes.io/warn': 'restricted' });
  assert.deepEqual(p.policy.enforce, { level: 'baseline', version: 'v1.30' });
  assert.equal(p.policy.warn.level, 'restricted');
  const bad = namespacePolicy({ 'pod-security.kubernetes.io/enforce': 'strict', 'pod-security.kubernetes.io/warn-version': '1.30' });
  assert.equal(bad.policy.enforce.level, 'restricted');
  assert.deepEqual(bad.policy.warn, { level: 'privileged', version: 'latest' });
  assert.deepEqual(bad.errors.map((e) => e.label), ['pod-security.kubernetes.io/enforce', 'pod-security.kubernetes.io/warn-version']);
});

test('setters read "pod and containers", values are listed sorted, explicit bad values come before missing ones', () => {
  const spec: PodSpecView = {
    securityContext: { seLinuxOptions: { type: 'foo', user: 'u' }, appArmorProfile: { type: 'Unconfined' } },
    containers: [
      { name: 'a', securityContext: { seLinuxOptions: { type: 'bar', role: 'r' }, appArmorProfile: { type: 'Unconfined' }, procMount: 'Unmasked', seccompProfile: { type: 'Unconfined' } } },
      { name: 'b', ports: [{ hostPort: 9000 }, { hostPort: 443 }] },
    ],
  };
  const out = msg('baseline', spec);
  assert.match(out, /forbidden AppArmor profile \(pod and container "a" must not set AppArmor profile type to "Unconfined"\)/);
  assert.match(out, /hostPort \(container "b" uses hostPorts 443, 9000\)/);
  assert.match(out, /seLinuxOptions \(pod and container "a" set forbidden securityContext\.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set\)/);
  assert.match(out, /seccompProfile \(container "a" must not set securityContext\.seccompProfile\.type to "Unconfined"\)/);
  const r = msg('restricted', { securityContext: { runAsNonRoot: false }, containers: [{ name: 'x' }, { name: 'y', securityContext: { runAsNonRoot: false, seccompProfile: { type: 'Unconfined' } } }] });
  assert.match(r, /runAsNonRoot != true \(pod and container "y" must not set securityContext\.runAsNonRoot=false\)/);
  assert.match(r, /seccompProfile \(container "y" must not set securityContext\.seccompProfile\.type to "Unconfined"\)$/);
  assert.match(msg('restricted', { volumes: [{ name: 'w' }], containers: restrictedOk() }), /^restricted volume types \(volume "w" uses restricted volume type "unknown"\)$/);
});
