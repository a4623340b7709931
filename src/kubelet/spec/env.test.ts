import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveEnv, type EnvSources } from './env.js';
import { ContainerConfigError } from './security-context.js';
import type { ConfigMap, Container, Pod, Secret } from './types.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const configMaps: Record<string, ConfigMap> = {
  'ns/cfg': { metadata: { name: 'cfg' }, data: { LEVEL: 'debug', 'bad key': 'x', '1st': 'y', SHARED: 'from-cm' } },
};
const secrets: Record<string, Secret> = { 'ns/creds': { metadata: { name: 'creds' }, data: { password: b64('s3cret'), USER: b64('admin') } } };
const events: string[] = [];
const sources = (over: Partial<EnvSources> = {}): EnvSources => ({
  configMap: async (ns, name) => configMaps[`${ns}/${name}`],
  secret: async (ns, name) => secrets[`${ns}/${name}`],
  podIP: '10.42.0.5', podIPs: ['10.42.0.5', 'fd00::5'], hostIP: '192.168.1.10', nodeName: 'node-1',
  serviceEnv: [{ key: 'WEB_SERVICE_HOST', value: '10.43.0.10' }, { key: 'SHARED', value: 'from-svc' }],
  nodeAllocatable: { cpu: '2', memory: '4Gi' },
  onEvent: (e) => events.push(`${e.reason}: ${e.message}`),
  ...over,
});
const pod = (c: Container): Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u-1', labels: { b: '2', a: '1' }, annotations: { note: 'say "hi"' } },
  spec: { containers: [c], nodeName: 'node-1', serviceAccountName: 'default' },
});

test('envFrom, env with expansion and sources, then service variables, in upstream order', async () => {
  events.length = 0;
  const c: Container = {
    name: 'app',
    envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'creds' } }, { configMapRef: { name: 'absent', optional: true } }],
    env: [
      { name: 'URL', value: 'http://$(WEB_SERVICE_HOST):$(PORT)/$(LEVEL)' },
      { name: 'PORT', value: '8080' },
      { name: 'AGAIN', value: '$(PORT)-$$(PORT)' },
      { name: 'LEVEL', value: 'info' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
      { name: 'LABEL_A', valueFrom: { fieldRef: { fieldPath: "metadata.labels['a']" } } },
      { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'POD_IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
      { name: 'CM_KEY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LEVEL' } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'EMPTY' },
    ],
  };
  const env = await resolveEnv(pod(c), c, sources());
  assert.deepEqual(env, [
    { key: 'LEVEL', value: 'info' },
    { key: 'SHARED', value: 'from-cm' },
    { key: 'S_password', value: 's3cret' },
    { key: 'S_USER', value: 'admin' },
    { key: 'URL', value: 'http://10.43.0.10:$(PORT)/debug' },
    { key: 'PORT', value: '8080' },
    { key: 'AGAIN', value: '8080-$(PORT)' },
    { key: 'POD', value: 'p' },
    { key: 'NS', value: 'ns' },
    { key: 'UID', value: 'u-1' },
    { key: 'LABELS', value: 'a="1"\nb="2"' },
    { key: 'LABEL_A', value: '1' },
    { key: 'NOTE', value: 'say "hi"' },
    { key: 'NODE', value: 'node-1' },
    { key: 'SA', value: 'default' },
    { key: 'HOST_IP', value: '192.168.1.10' },
    { key: 'POD_IP', value: '10.42.0.5' },
    { key: 'POD_IPS', value: '10.42.0.5,fd00::5' },
    { key: 'CM_KEY', value: 'debug' },
    { key: 'PW', value: 's3cret' },
    { key: 'EMPTY', value: '' },
    { key: 'WEB_SERVICE_HOST', value: '10.43.0.10' },
  ]);
  assert.deepEqual(events, ['InvalidEnvironmentVariableNames: Keys [1st, bad key] from the EnvFrom configMap ns/cfg were skipped since they are considered invalid environment variable names.']);
});

test('resourceFieldRef: divisors round up; unset limits read the node allocatable', async () => {
  const c: Container = {
    name: 'app',
    resources: { requests: { cpu: '250m', memory: '100Mi' }, limits: { memory: '1Gi' } },
    env: [
      { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
      { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'CPU_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'MEM_LIM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'MEM_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
      { name: 'OTHER', valueFrom: { resourceFieldRef: { containerName: 'side', resource: 'limits.memory', divisor: '1Gi' } } },
    ],
  };
  const p = pod(c);
  p.spec.containers.push({ name: 'side', resources: {} });
  const env = Object.fromEntries((await resolveEnv(p, c, sources())).map((e) => [e.key, e.value]));
  assert.equal(env.CPU_REQ, '1');
  assert.equal(env.CPU_REQ_M, '250');
  assert.equal(env.CPU_LIM, '2');
  assert.equal(env.MEM_LIM_MI, '1024');
  assert.equal(env.MEM_REQ, String(100 * 1024 * 1024));
  assert.equal(env.OTHER, '4');
});

test('missing required sources fail with upstream messages', async () => {
  const run = (env: Container['env'], envFrom?: Container['envFrom']) => {
    const c: Container = { name: 'app', env, envFrom };
    return resolveEnv(pod(c), c, sources());
  };
  const is = (msg: string) => (e: Error) => e instanceof ContainerConfigError && e.message === msg;
  await assert.rejects(run([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'x', key: 'k' } } }]), is('configmap "x" not found'));
  await assert.rejects(run([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }]), is("couldn't find key k in ConfigMap ns/cfg"));
  await assert.rejects(run([{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }]), is('secret "nope" not found'));
  await assert.rejects(run([{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }]), is("couldn't find key k in Secret ns/creds"));
  await assert.rejects(run([], [{ secretRef: { name: 'gone' } }]), is('secret "gone" not found'));
  await assert.rejects(run([{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }]), is('unsupported fieldPath: spec.bogus'));
  await assert.rejects(run([{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }]), is('unsupported container resource : limits.gpu'));
  assert.deepEqual(await run([{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }]), [
    { key: 'WEB_SERVICE_HOST', value: '10.43.0.10' }, { key: 'SHARED', value: 'from-svc' },
  ]);
});
