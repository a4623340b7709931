import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServerConfig, ConfigError } from './config.js';

test('security flags: defaults off; audit rotation numbers validated; a policy needs a log path', () => {
  const base = { 'disable-agent': true };
  assert.deepEqual(buildServerConfig(base).security, { secretsEncryption: false, audit: undefined });
  assert.deepEqual(buildServerConfig({ ...base, 'secrets-encryption': true, 'audit-log-path': '/tmp/a.log', 'audit-log-maxsize': '100', 'audit-log-maxbackup': '3' }).security, {
    secretsEncryption: true,
    audit: { path: '/tmp/a.log', policyFile: undefined, maxAge: 0, maxBackup: 3, maxSize: 100 },
  });
  assert.throws(() => buildServerConfig({ ...base, 'audit-log-path': '/tmp/a.log', 'audit-log-maxage': '-1' }), (e: Error) => e instanceof ConfigError && /--audit-log-maxage: must be a non-negative integer \(got "-1"\)/.test(e.message));
  assert.throws(() => buildServerConfig({ ...base, 'audit-policy-file': '/tmp/p.yaml' }), /--audit-policy-file: requires --audit-log-path/);
});
