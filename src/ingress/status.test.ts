import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredAddresses } from './status.js';

const ing = (lb?: { ip?: string; hostname?: string }[]) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'd' }, status: lb ? { loadBalancer: { ingress: lb } } : {} });

test('served Ingresses get the node IP once; ones that are not ours lose only the address we set', () => {
  assert.deepEqual(desiredAddresses(ing(), true, '10.0.0.5'), [{ ip: '10.0.0.5' }]);
  assert.deepEqual(desiredAddresses(ing([{ ip: '1.2.3.4' }]), true, '10.0.0.5'), [{ ip: '10.0.0.5' }]);
  assert.equal(desiredAddresses(ing([{ ip: '10.0.0.5' }]), true, '10.0.0.5'), undefined);
  assert.deepEqual(desiredAddresses(ing([{ ip: '10.0.0.5' }]), false, '10.0.0.5'), []);
  assert.equal(desiredAddresses(ing([{ ip: '1.2.3.4' }]), false, '10.0.0.5'), undefined);
  assert.equal(desiredAddresses(ing(), false, '10.0.0.5'), undefined);
});
