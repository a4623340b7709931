import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { validateMutatingWebhookConfiguration, validateValidatingWebhookConfiguration } from './admissionregistration.js';

const cfg = (w: Record<string, unknown>): KObject => ({
  metadata: { name: 'c' },
  webhooks: [{ name: 'a.example.com', clientConfig: { url: 'https://127.0.0.1:9443/x' }, sideEffects: 'None', admissionReviewVersions: ['v1'], rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }], ...w }],
});
const msgs = (o: KObject): string[] => validateValidatingWebhookConfiguration(o).map((e) => e.message);

test('a well-formed configuration passes', () => {
  assert.deepEqual(msgs(cfg({})), []);
  assert.deepEqual(validateMutatingWebhookConfiguration(cfg({ reinvocationPolicy: 'IfNeeded' })), []);
});

test('upstream messages for common mistakes', () => {
  assert.deepEqual(msgs(cfg({ name: 'short' })), ['webhooks[0].name: Invalid value: "short": should be a domain with at least three segments separated by dots']);
  assert.deepEqual(msgs(cfg({ clientConfig: { url: 'http://x.example.com/' } })), ['webhooks[0].clientConfig.url: Invalid value: "http://x.example.com/": \'https\' is the only allowed URL scheme']);
  assert.deepEqual(msgs(cfg({ clientConfig: {} })), ['webhooks[0].clientConfig: Required value: exactly one of url or service is required']);
  assert.deepEqual(msgs(cfg({ timeoutSeconds: 31 })), ['webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds']);
  assert.deepEqual(msgs(cfg({ sideEffects: 'Some' })), ['webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"']);
  assert.deepEqual(msgs(cfg({ admissionReviewVersions: [] })), ['webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1']);
  assert.match(msgs(cfg({ matchConditions: [{ name: 'x', expression: 'true' }] }))[0]!, /^webhooks\[0\]\.matchConditions: Forbidden: matchConditions \(CEL expressions\) are not supported/);
});
