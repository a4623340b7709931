import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOurs, defaultIngressClass } from './ingress-class.js';
import type { IngressClass } from './ingress-class.js';
import type { Ingress } from './match.js';
import { secretForServerName, sslRedirect } from './tls-select.js';

const other: IngressClass = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } };
const ing = (spec: Ingress['spec'], annotations?: Record<string, string>): Ingress => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'ns', annotations }, spec });

test('class by name, by the legacy annotation, or none with our default class', () => {
  const classes = [defaultIngressClass(), other];
  assert.ok(isOurs(ing({ ingressClassName: 'kts' }), classes));
  assert.ok(!isOurs(ing({ ingressClassName: 'nginx' }), classes));
  assert.ok(!isOurs(ing({ ingressClassName: 'missing' }), classes));
  assert.ok(isOurs(ing({}, { 'kubernetes.io/ingress.class': 'kts' }), classes));
  assert.ok(isOurs(ing({}), classes));
  const notDefault = { ...defaultIngressClass(), metadata: { name: 'kts' } };
  assert.ok(!isOurs(ing({}), [notDefault, other]));
  // Two defaults: the newest decides, as the admission plugin picks it.
  const at = (c: IngressClass, t: string, isDefault = true): IngressClass => ({ ...c, metadata: { ...c.metadata, creationTimestamp: t, annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {} } });
  assert.ok(isOurs(ing({}), [at(defaultIngressClass(), '2026-02-01T00:00:00Z'), at(other, '2026-01-01T00:00:00Z')]));
  assert.ok(!isOurs(ing({}), [at(defaultIngressClass(), '2026-01-01T00:00:00Z'), at(other, '2026-02-01T00:00:00Z')]));
});

test('SNI: exact host before wildcard, missing names give the default certificate', () => {
  const a = ing({ tls: [{ hosts: ['*.example.com'], secretName: 'wild' }, { hosts: ['a.example.com'], secretName: 'a' }] });
  assert.deepEqual(secretForServerName([a], 'a.example.com'), { namespace: 'ns', name: 'a' });
  assert.deepEqual(secretForServerName([a], 'b.example.com'), { namespace: 'ns', name: 'wild' });
  assert.equal(secretForServerName([a], 'example.com'), undefined);
  assert.equal(secretForServerName([a], undefined), undefined);
});

test('ssl-redirect: hosts under spec.tls (exact or wildcard) unless the annotation turns it off', () => {
  const a = ing({ tls: [{ hosts: ['*.example.com', 'secure.test'], secretName: 's' }] });
  assert.ok(sslRedirect(a, 'secure.test:80'));
  assert.ok(sslRedirect(a, 'x.example.com'));
  assert.ok(!sslRedirect(a, 'plain.test'));
  assert.ok(!sslRedirect(ing({ tls: [{ hosts: ['secure.test'], secretName: 's' }] }, { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' }), 'secure.test'));
});
