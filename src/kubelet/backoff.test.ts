import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.js';

test('first restart is immediate, then the back-off doubles up to the maximum', () => {
  const b = new Backoff(10, 40);
  assert.equal(b.inBackoffSince('c', 0, 0), false);
  assert.equal(b.next('c', 0), 10);
  // finished 5 ms after the restart: must wait until 10 ms have passed
  assert.equal(b.inBackoffSince('c', 5, 6), true);
  assert.equal(b.inBackoffSince('c', 5, 11), false);
  assert.equal(b.next('c', 11), 20);
  assert.equal(b.next('c', 40), 40);
  assert.equal(b.next('c', 90), 40);
  assert.equal(b.remaining('c', 100), 30);
});

test('an entry idle for twice the maximum starts over', () => {
  const b = new Backoff(10, 40);
  b.next('c', 0);
  b.next('c', 15);
  assert.equal(b.next('c', 15 + 81), 10);
});
