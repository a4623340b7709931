import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../test/support/cluster.js';
import { signClientCert } from '../server/pki.js';
import { RestClient } from './rest-client.js';

async function whoAmI(c: RestClient): Promise<string> {
  const r = await c.create<{ status: { userInfo: { username: string } } }>('/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  return r.status.userInfo.username;
}

test("a sibling client has the same identity on connections of its own: its requests do not queue behind its parent's", async () => {
  const c = await startTestCluster();
  const parent = new RestClient({ server: c.url, caPem: c.caPem, certPem: c.certPem, keyPem: c.keyPem, maxSockets: 1 });
  try {
    await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sib' } });
    const rv = (await c.client.list('/api/v1/namespaces/sib/configmaps')).metadata?.resourceVersion;
    const sibling = parent.sibling();
    assert.equal(await whoAmI(sibling), 'system:admin');
    const done: string[] = [];
    // A watch with nothing to report holds the parent's only connection for a second.
    const holding = parent.get(`/api/v1/namespaces/sib/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=1`).then(() => done.push('holding'));
    const queued = parent.get('/api/v1/namespaces/default').then(() => done.push('parent'));
    const own = sibling.get('/api/v1/namespaces/default').then(() => done.push('sibling'));
    await Promise.all([holding, queued, own]);
    assert.deepEqual(done, ['sibling', 'holding', 'parent']);
  } finally {
    parent.close();
    await c.stop();
  }
});

test('a sibling client follows its parent to a rotated certificate', async () => {
  const c = await startTestCluster();
  const parent = new RestClient({ server: c.url, caPem: c.caPem, certPem: c.certPem, keyPem: c.keyPem });
  try {
    const sibling = parent.sibling();
    assert.equal(await whoAmI(sibling), 'system:admin');
    const next = signClientCert({ certPem: c.pki.clientCaCertPem, keyPem: c.pki.clientCaKeyPem }, { cn: 'rotated', o: ['system:masters'] }, 1);
    parent.setClientCertificate(next.certPem, next.keyPem);
    assert.equal(await whoAmI(parent), 'rotated');
    assert.equal(await whoAmI(sibling), 'rotated');
    // One made after the rotation starts with the new certificate.
    assert.equal(await whoAmI(parent.sibling()), 'rotated');
  } finally {
    parent.close();
    await c.stop();
  }
});
