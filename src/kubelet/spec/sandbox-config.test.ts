import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podLogDir, sandboxConfig, sysctlName, type SandboxConfigOptions } from './sandbox-config.js';
import type { Pod } from './types.js';

let dir = '';
let resolv = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kts-sb-'));
  resolv = join(dir, 'resolv.conf');
  writeFileSync(resolv, 'nameserver 192.168.1.1\nsearch corp.example\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const opts = (over: Partial<SandboxConfigOptions> = {}): SandboxConfigOptions => ({
  attempt: 1, logDir: '/var/log/pods/ns_p_u', podCgroupParent: '/kubepods/besteffort/podu', clusterDns: ['10.43.0.10'],
  clusterDomain: 'cluster.local', hostResolvConf: resolv, ...over,
});
const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { app: 'web' }, annotations: { note: 'x' } },
  spec: {
    containers: [
      { name: 'a', ports: [{ containerPort: 80, hostPort: 8080, hostIP: '127.0.0.1' }, { containerPort: 53, protocol: 'UDP' }] },
      { name: 'b', ports: [{ containerPort: 80, hostPort: 8080, hostIP: '127.0.0.1' }], securityContext: { privileged: true } },
    ],
    ...spec,
  },
});

test('a full sandbox config as upstream builds it', () => {
  const cfg = sandboxConfig(pod({ securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000], sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }, { name: 'kernel/shm_rmid_forced', value: '1' }] } }), opts());
  assert.deepEqual(cfg, {
    metadata: { name: 'p', namespace: 'ns', uid: 'u', attempt: 1 },
    hostname: 'p',
    logDirectory: '/var/log/pods/ns_p_u',
    dnsConfig: { servers: ['10.43.0.10'], searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] },
    portMappings: [
      { protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '127.0.0.1' },
      { protocol: 'UDP', containerPort: 53, hostPort: 0, hostIp: '' },
    ],
    labels: { app: 'web', 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.pod.uid': 'u' },
    annotations: { note: 'x' },
    linux: {
      cgroupParent: '/kubepods/besteffort/podu',
      securityContext: {
        namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
        privileged: true,
        seccomp: { profileType: 'RuntimeDefault' },
        runAsUser: { value: 1000 },
        runAsGroup: { value: 3000 },
        supplementalGroups: [2000, 4000],
      },
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0', 'kernel.shm_rmid_forced': '1' },
    },
  });
});

test('hostname: spec.hostname, truncation, FQDN; host network takes the node name and host namespaces', () => {
  assert.equal(sandboxConfig(pod({ hostname: 'db' }), opts()).hostname, 'db');
  const long = pod();
  long.metadata.name = 'x'.repeat(70);
  assert.equal(sandboxConfig(long, opts()).hostname, 'x'.repeat(63));
  assert.equal(sandboxConfig(pod({ hostname: 'db', subdomain: 'sub', setHostnameAsFQDN: true }), opts()).hostname, 'db.sub.ns.svc.cluster.local');
  const host = sandboxConfig(pod({ hostNetwork: true, hostPID: true, shareProcessNamespace: true }), opts({ nodeHostname: 'node-1' }));
  assert.equal(host.hostname, 'node-1');
  assert.deepEqual(host.linux?.securityContext?.namespaceOptions, { network: 'NODE', pid: 'NODE', ipc: 'POD' });
  assert.deepEqual(host.dnsConfig, { servers: ['192.168.1.1'], searches: ['corp.example'], options: [] });
  assert.deepEqual(sandboxConfig(pod({ shareProcessNamespace: true }), opts()).linux?.securityContext?.namespaceOptions, { network: 'POD', pid: 'POD', ipc: 'POD' });
});

test('DNS events are passed on', () => {
  const events: string[] = [];
  sandboxConfig(pod(), opts({ clusterDns: [], onEvent: (e) => events.push(e.reason) }));
  assert.deepEqual(events, ['MissingClusterDNS']);
});

test('helpers: sysctl names and the pod log directory', () => {
  assert.equal(sysctlName('net/ipv4/conf/eth0.100/forwarding'), 'net.ipv4.conf.eth0/100.forwarding');
  assert.equal(sysctlName('net.ipv4.conf.eth0/100.forwarding'), 'net.ipv4.conf.eth0/100.forwarding');
  assert.equal(podLogDir('/var/log/pods/', pod()), '/var/log/pods/ns_p_u');
});
