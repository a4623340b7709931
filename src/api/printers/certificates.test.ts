import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateSigningRequestPrinter, csrCondition } from './certificates.js';

const csr = (conditions: string[], certificate?: string, expirationSeconds?: number) => ({
  metadata: { name: 'c', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { signerName: 'kubernetes.io/kube-apiserver-client', username: 'jane', expirationSeconds },
  status: { conditions: conditions.map((type) => ({ type, status: 'True' })), certificate },
});

test("CONDITION as upstream's extractCSRStatus", () => {
  assert.equal(csrCondition(csr([])), 'Pending');
  assert.equal(csrCondition(csr(['Approved'], 'eA==')), 'Approved,Issued');
  assert.equal(csrCondition(csr(['Approved', 'Failed'])), 'Approved,Failed');
  assert.equal(csrCondition(csr(['Denied'])), 'Denied');
});

test('columns and a row', () => {
  assert.deepEqual(certificateSigningRequestPrinter.columns.map((c) => c.name), ['Name', 'Age', 'SignerName', 'Requestor', 'RequestedDuration', 'Condition']);
  const now = Date.parse('2026-01-01T00:05:00Z');
  assert.deepEqual(certificateSigningRequestPrinter.row(csr([], undefined, 86400), now), ['c', '5m', 'kubernetes.io/kube-apiserver-client', 'jane', '24h', 'Pending']);
  assert.equal(certificateSigningRequestPrinter.row(csr([]), now)[4], '<none>');
});
