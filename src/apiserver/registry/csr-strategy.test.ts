import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { csrPrepareForCreate, csrPrepareForUpdate, setRequester } from './csr-strategy.js';

const base = (status: Record<string, unknown> = {}): KObject => ({ metadata: { name: 'c' }, spec: { request: 'eA==', signerName: 'example.com/s', usages: ['client auth'], username: 'jane' }, status });

test('create: status cleared, requester from the user, not the body', () => {
  const o = base({ certificate: 'eA==' });
  (o.spec as Record<string, unknown>).extra = { evil: ['x'] };
  csrPrepareForCreate(o);
  setRequester(o, { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] });
  assert.deepEqual(o.status, {});
  assert.equal((o.spec as { username: string }).username, 'system:bootstrap:abcdef');
  assert.deepEqual((o.spec as { groups: string[] }).groups, ['system:bootstrappers', 'system:authenticated']);
  assert.equal((o.spec as { extra?: unknown }).extra, undefined);
});

test('main resource: spec and status stay', () => {
  const old = base({ conditions: [{ type: 'Approved', status: 'True' }] });
  const next = base();
  (next.spec as Record<string, unknown>).signerName = 'example.com/other';
  csrPrepareForUpdate(next, old, '');
  assert.deepEqual(next.spec, old.spec);
  assert.deepEqual(next.status, old.status);
});

test('approval writes only Approved/Denied and keeps the certificate; status keeps approvals', () => {
  const old = base({ conditions: [{ type: 'Failed', status: 'True', lastUpdateTime: 't0', lastTransitionTime: 't0' }], certificate: 'b2xk' });
  const next = base({ conditions: [{ type: 'Approved', status: 'True' }], certificate: 'bmV3' });
  csrPrepareForUpdate(next, old, 'approval');
  const st = next.status as { conditions: { type: string; lastUpdateTime?: string; lastTransitionTime?: string }[]; certificate: string };
  assert.deepEqual(st.conditions.map((c) => c.type), ['Approved', 'Failed']);
  assert.ok(st.conditions[0]!.lastUpdateTime && st.conditions[0]!.lastTransitionTime, 'timestamps filled in');
  assert.equal(st.certificate, 'b2xk');

  const approved = base({ conditions: [{ type: 'Approved', status: 'True' }] });
  const statusWrite = base({ conditions: [{ type: 'Denied', status: 'True' }], certificate: 'Y2VydA==' });
  csrPrepareForUpdate(statusWrite, approved, 'status');
  const s2 = statusWrite.status as { conditions: { type: string }[]; certificate: string };
  assert.deepEqual(s2.conditions.map((c) => c.type), ['Approved']);
  assert.equal(s2.certificate, 'Y2VydA==');
});
