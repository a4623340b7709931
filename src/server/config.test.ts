import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServerConfig, ConfigError } from './config.js';

test('--max-requests-inflight: 400 by default (as upstream), a positive integer otherwise', () => {
  const base = { 'disable-agent': true };
  assert.equal(buildServerConfig(base).maxRequestsInflight, 400);
  assert.equal(buildServerConfig({ ...base, 'max-requests-inflight': '8' }).maxRequestsInflight, 8);
  for (const bad of ['0', '-1', '2.5', 'many']) {
    assert.throws(() => buildServerConfig({ ...base, 'max-requests-inflight': bad }), (e: Error) => e instanceof ConfigError && e.message === `--max-requests-inflight: must be a positive integer (got "${bad}")`);
  }
});
