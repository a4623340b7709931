import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/errors.js';
import { discoverClusterDns } from './cluster-dns.js';

const reader = (services: Record<string, string | Error>) => ({
  async get<T>(path: string): Promise<T> {
    const key = /namespaces\/([^/]+)\/services\/([^/]+)$/.exec(path)!.slice(1).join('/');
    const v = services[key];
    if (v instanceof Error) throw v;
    if (v === undefined) throw new StatusError(404, 'NotFound', `services "${key}" not found`);
    return { spec: { clusterIP: v } } as T;
  },
});

test('the kube-dns Service address comes first', async () => {
  assert.deepEqual(await discoverClusterDns(reader({ 'kube-system/kube-dns': '10.77.128.10', 'default/kubernetes': '10.77.128.1' })), { ip: '10.77.128.10', from: 'the kube-dns Service' });
});

test('without kube-dns: the tenth address of the service CIDR, from the kubernetes Service at the first', async () => {
  const r = await discoverClusterDns(reader({ 'default/kubernetes': '10.96.0.1' }));
  assert.equal(r.ip, '10.96.0.10');
  assert.equal((await discoverClusterDns(reader({ 'default/kubernetes': '172.20.255.1' }))).ip, '172.20.255.10');
});

test('neither Service: the default; other errors are not hidden', async () => {
  assert.equal((await discoverClusterDns(reader({}))).ip, '10.43.0.10');
  await assert.rejects(discoverClusterDns(reader({ 'kube-system/kube-dns': new StatusError(403, 'Forbidden', 'no') })), /no/);
});
