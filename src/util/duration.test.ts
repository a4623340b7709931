import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration, shortHumanDuration } from './duration.js';

test('Go durations', () => {
  assert.equal(parseGoDuration('24h'), 86_400_000);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('0'), 0);
  for (const bad of ['', '24', 'h', '1d', '-1h', '1h foo']) assert.equal(parseGoDuration(bad), undefined, bad);
});

test('short human durations as kubeadm prints TTLs', () => {
  assert.equal(shortHumanDuration(59_000), '59s');
  assert.equal(shortHumanDuration(86_399_000), '23h');
  assert.equal(shortHumanDuration(3 * 86_400_000), '3d');
  assert.equal(shortHumanDuration(800 * 86_400_000), '2y');
});
