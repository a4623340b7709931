import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../../test/support/cluster.js';
import type { KObject } from '../../api/types.js';

const ING = '/apis/networking.k8s.io/v1/namespaces/default/ingresses';
const ingress = (name: string, extra: Record<string, unknown> = {}, annotations?: Record<string, string>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, annotations },
  spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } }, ...extra },
});
const cls = (name: string, isDefault: boolean) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name, annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {} },
  spec: { controller: `example.com/${name}` },
});

test('an Ingress without a class gets the default IngressClass (newest of several); explicit ones and the annotation are kept', async () => {
  const c = await startTestCluster();
  const classOf = async (name: string) => ((await c.client.get<KObject>(`${ING}/${name}`)).spec as { ingressClassName?: string }).ingressClassName;
  try {
    await c.client.create(ING, ingress('before'));
    assert.equal(await classOf('before'), undefined, 'no default class yet');
    await c.client.create('/apis/networking.k8s.io/v1/ingressclasses', cls('plain', false));
    await c.client.create('/apis/networking.k8s.io/v1/ingressclasses', cls('first', true));
    await c.client.create(ING, ingress('auto'));
    assert.equal(await classOf('auto'), 'first');
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has second resolution
    await c.client.create('/apis/networking.k8s.io/v1/ingressclasses', cls('second', true));
    await c.client.create(ING, ingress('newest'));
    assert.equal(await classOf('newest'), 'second');
    await c.client.create(ING, ingress('explicit', { ingressClassName: 'plain' }));
    assert.equal(await classOf('explicit'), 'plain');
    await c.client.create(ING, ingress('legacy', {}, { 'kubernetes.io/ingress.class': 'plain' }));
    assert.equal(await classOf('legacy'), undefined);
  } finally {
    await c.stop();
  }
});
