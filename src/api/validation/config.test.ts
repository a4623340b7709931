import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

const msgs = (errs: FieldError[]): string[] => errs.map((e) => e.message);
const meta = { name: 'cfg', namespace: 'default' };

test('configmap keys and size', () => {
  assert.deepEqual(msgs(validateCreate('', 'ConfigMap', { metadata: meta, data: { 'app.conf': 'x', 'a b': 'y' } })), [
    "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
  assert.deepEqual(msgs(validateCreate('', 'ConfigMap', { metadata: meta, data: { a: 'x' }, binaryData: { a: 'eA==' } })), ['data[a]: Invalid value: "a": duplicate of key present in binaryData']);
  assert.deepEqual(msgs(validateCreate('', 'ConfigMap', { metadata: meta, data: { a: 'x'.repeat(1024 * 1024 + 1) } })), [': Too long: may not be more than 1048576 bytes']);
});

test('immutable configmaps and secrets', () => {
  const old: KObject = { metadata: { ...meta }, data: { a: 'x' }, immutable: true };
  const changed: KObject = { metadata: { ...meta }, data: { a: 'y' }, immutable: true };
  assert.deepEqual(msgs(validateUpdate('', 'ConfigMap', changed, old)), ['data: Forbidden: field is immutable when `immutable` is set']);
  const unlocked: KObject = { metadata: { ...meta }, data: { a: 'x' }, immutable: false };
  assert.deepEqual(msgs(validateUpdate('', 'ConfigMap', unlocked, old)), ['immutable: Forbidden: field is immutable when `immutable` is set']);
  const oldSecret: KObject = { metadata: { ...meta }, type: 'Opaque', data: { a: 'eA==' }, immutable: true };
  const newSecret: KObject = { metadata: { ...meta }, type: 'Opaque', data: { a: 'eQ==' }, immutable: true };
  assert.deepEqual(msgs(validateUpdate('', 'Secret', newSecret, oldSecret)), ['data: Forbidden: field is immutable when `immutable` is set']);
});

test('secret type rules', () => {
  const tls: KObject = { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } };
  assert.deepEqual(msgs(validateCreate('', 'Secret', tls)), ['data[tls.key]: Required value']);
  const sa: KObject = { metadata: meta, type: 'kubernetes.io/service-account-token' };
  assert.deepEqual(msgs(validateCreate('', 'Secret', sa)), ['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
  const old: KObject = { metadata: meta, type: 'Opaque' };
  const next: KObject = { metadata: meta, type: 'kubernetes.io/basic-auth', data: { username: 'eA==' } };
  assert.deepEqual(msgs(validateUpdate('', 'Secret', next, old)), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
  const opaque: KObject = { metadata: meta, stringData: { password: 'p' } };
  applyDefaults('', 'Secret', opaque);
  assert.deepEqual(msgs(validateCreate('', 'Secret', opaque)), []);
});
