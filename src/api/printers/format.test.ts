import { test } from 'node:test';
import assert from 'node:assert/strict';
import { age, humanDuration, listWithMore, since } from './format.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('humanDuration matches apimachinery duration.HumanDuration at every boundary', () => {
  const cases: [number, string][] = [
    [-3 * S, '<invalid>'],
    [-1.5 * S, '0s'],
    [0, '0s'],
    [5 * S, '5s'],
    [119 * S, '119s'],
    [120 * S, '2m'],
    [200 * S, '3m20s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [4 * H + 5 * M, '4h5m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [48 * H, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D + 5 * H, '8d'],
    [45 * D, '45d'],
    [729 * D, '729d'],
    [730 * D, '2y'],
    [3 * 365 * D + 20 * D, '3y20d'],
    [8 * 365 * D, '8y'],
    [9 * 365 * D + 100 * D, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('ages are measured from creationTimestamp, <unknown> without one', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(age({ metadata: { creationTimestamp: '2024-05-01T11:56:40Z' } }, now), '3m20s');
  assert.equal(age({ metadata: {} }, now), '<unknown>');
  assert.equal(since('not a time', now), '<unknown>');
  assert.equal(since(null, now), '<unknown>');
});

test('listWithMore truncates after three and marks empty lists unset', () => {
  assert.equal(listWithMore([]), '<unset>');
  assert.equal(listWithMore(['a', 'b', 'c']), 'a,b,c');
  assert.equal(listWithMore(['a', 'b', 'c', 'd', 'e']), 'a,b,c + 2 more...');
});
