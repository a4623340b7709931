import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { KObject } from '../types.js';
import { createCsrPem } from '../csr.js';
import { validateCsr, validateCsrStatusUpdate, validateCsrUpdate } from './certificates.js';

const key = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
const pem = createCsrPem(key, { cn: 'jane', o: ['dev'] });

function csr(spec: Record<string, unknown> = {}, status?: Record<string, unknown>): KObject {
  return { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'jane' }, spec: { request: Buffer.from(pem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...spec }, ...(status ? { status } : {}) };
}
const messages = (o: KObject) => validateCsr(o).map((e) => e.message);

test('a well-formed request is valid', () => {
  assert.deepEqual(validateCsr(csr({ expirationSeconds: 600 })), []);
});

test("request, usages, signerName and expirationSeconds are checked with upstream's messages", () => {
  assert.deepEqual(messages(csr({ request: Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64') })), ['spec.request: Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST']);
  assert.match(messages(csr({ request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n').toString('base64') }))[0]!, /^spec\.request: Invalid value: \[\]byte\{\.\.\.\}: x509: /);
  assert.deepEqual(messages(csr({ request: undefined })), ['spec.request: Required value']);
  assert.deepEqual(messages(csr({ usages: [] })), ['spec.usages: Required value: usages must be provided']);
  assert.match(messages(csr({ usages: ['client auth', 'flying'] }))[0]!, /^spec\.usages\[1\]: Unsupported value: "flying": supported values: "signing", /);
  assert.deepEqual(messages(csr({ usages: ['client auth', 'client auth'] })), ['spec.usages[1]: Duplicate value: "client auth"']);
  assert.deepEqual(messages(csr({ signerName: '' })), ['spec.signerName: Required value']);
  assert.deepEqual(messages(csr({ signerName: 'nodomain' })), ["spec.signerName: Invalid value: \"nodomain\": must be a fully qualified domain and path of the form 'example.com/signer-name'"]);
  assert.deepEqual(messages(csr({ signerName: 'kubernetes.io/legacy-unknown' })), ['spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version']);
  assert.deepEqual(messages(csr({ expirationSeconds: 599 })), ['spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)']);
});

test('conditions: Approved and Denied are exclusive and must be True', () => {
  const both = csr({}, { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] });
  assert.deepEqual(messages(both), ['status.conditions: Invalid value: "Approved": Approved and Denied conditions are mutually exclusive']);
  assert.deepEqual(messages(csr({}, { conditions: [{ type: 'Approved', status: 'False' }] })), ['status.conditions[0].status: Unsupported value: "False": supported values: "True"']);
});

test('updates may not remove an approval; the certificate is set once, only when approved', () => {
  const approved = csr({}, { conditions: [{ type: 'Approved', status: 'True' }] });
  assert.deepEqual(validateCsrUpdate(csr({}, { conditions: [] }), approved).map((e) => e.message), ['status.conditions: Invalid value: "Approved": updates may not remove a condition of type "Approved"']);
  const cert = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64');
  assert.deepEqual(validateCsrStatusUpdate(csr({}, { conditions: [{ type: 'Approved', status: 'True' }], certificate: cert }), approved), []);
  assert.deepEqual(validateCsrStatusUpdate(csr({}, { certificate: cert }), csr()).map((e) => e.message), ['status.certificate: Forbidden: certificate may not be set unless the Approved condition is present']);
  const issued = csr({}, { conditions: [{ type: 'Approved', status: 'True' }], certificate: cert });
  assert.deepEqual(validateCsrStatusUpdate(csr({}, { conditions: [{ type: 'Approved', status: 'True' }], certificate: Buffer.from('x').toString('base64') }), issued).map((e) => e.message), ['status.certificate: Forbidden: updates may not modify existing certificate content']);
});
