import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authFor, registryHost, CriImageService } from './image-service.js';
import { ContainerStartError } from '../pod-deps.js';
import type { CriClient } from '../cri/client.js';
import type { RestClient } from '../../client/rest-client.js';
import { silentLogger } from '../../util/log.js';

test('registry host of image references', () => {
  assert.equal(registryHost('busybox'), 'docker.io');
  assert.equal(registryHost('library/busybox:1'), 'docker.io');
  assert.equal(registryHost('registry.k8s.io/pause:3.10'), 'registry.k8s.io');
  assert.equal(registryHost('localhost:5000/app'), 'localhost:5000');
  assert.equal(registryHost('localhost/app'), 'localhost');
});

const secret = (type: string, key: string, value: unknown) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type, data: { [key]: Buffer.from(JSON.stringify(value)).toString('base64') } });

test('credentials from dockerconfigjson and dockercfg secrets for the image registry', () => {
  const s = secret('kubernetes.io/dockerconfigjson', '.dockerconfigjson', { auths: { '127.0.0.1:5000': { auth: Buffer.from('u:p:w').toString('base64') } } });
  assert.deepEqual(authFor('127.0.0.1:5000/app:1', [s]), { username: 'u', password: 'p:w', identityToken: undefined, serverAddress: '127.0.0.1:5000' });
  assert.equal(authFor('other.io/app', [s]), undefined);
  const hub = secret('kubernetes.io/dockercfg', '.dockercfg', { 'https://index.docker.io/v1/': { username: 'a', password: 'b' } });
  assert.equal(authFor('busybox:1', [hub])?.username, 'a');
});

function service(present: boolean, pull: () => Promise<string>) {
  const calls: string[] = [];
  const cri = {
    imageStatus: async (i: string) => { calls.push(`status ${i}`); return present ? { id: 'sha256:1', size: '10' } : null; },
    pullImage: async (i: string) => { calls.push(`pull ${i}`); return pull(); },
  } as unknown as CriClient;
  return { svc: new CriImageService(cri, {} as RestClient, silentLogger), calls };
}
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: {} };

test('IfNotPresent never contacts the registry for a present image; Never refuses a missing one', async () => {
  const events: string[] = [];
  const a = service(true, async () => 'x');
  assert.equal(await a.svc.ensure(pod, { name: 'c', image: 'img:1', imagePullPolicy: 'IfNotPresent' }, (_t, r, m) => events.push(`${r}: ${m}`)), 'sha256:1');
  assert.deepEqual(a.calls, ['status img:1']);
  assert.deepEqual(events, ['Pulled: Container image "img:1" already present on machine']);
  const b = service(false, async () => 'x');
  await assert.rejects(b.svc.ensure(pod, { name: 'c', image: 'img:1', imagePullPolicy: 'Never' }, () => {}), (e: ContainerStartError) => e.reason === 'ErrImageNeverPull' && e.message === 'Container image "img:1" is not present with pull policy of Never');
});

test('a failed pull is ErrImagePull, then ImagePullBackOff until the back-off passes', async () => {
  const s = service(false, async () => { throw new Error('connection refused'); });
  await assert.rejects(s.svc.ensure(pod, { name: 'c', image: 'img:1' }, () => {}), (e: ContainerStartError) => e.reason === 'ErrImagePull' && /Failed to pull image "img:1": connection refused/.test(e.message));
  await assert.rejects(s.svc.ensure(pod, { name: 'c', image: 'img:1' }, () => {}), (e: ContainerStartError) => e.reason === 'ImagePullBackOff' && e.message === 'Back-off pulling image "img:1"');
  assert.equal(s.calls.filter((c) => c.startsWith('pull')).length, 1);
});
