import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIntervals, matchSuccessPolicy, parseIntervals, withIndexes } from './indexes.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { BackoffStore, remainingBackoffMs } from './backoff.js';
import type { Pod } from './types.js';

test('completed indexes: parse and format as upstream', () => {
  assert.equal(formatIntervals(withIndexes([], [4, 0, 1, 2])), '0-2,4');
  assert.equal(formatIntervals(withIndexes([], [3, 4])), '3,4');
  assert.equal(formatIntervals(withIndexes(parseIntervals('0,2', 10), [1, 5])), '0-2,5');
  // Indexes beyond completions are dropped; malformed parts skipped.
  assert.equal(formatIntervals(parseIntervals('1-3,7-9,x', 8)), '1-3,7');
});

test('successPolicy rules', () => {
  const done = withIndexes([], [0, 1, 2, 5]);
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '0-2' }] }, 10, done), 'SuccessPolicy rule at index 0');
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '0-3' }] }, 10, done), undefined);
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '0-3' }, { succeededIndexes: '2-6', succeededCount: 2 }] }, 10, done), 'SuccessPolicy rule at index 1');
  assert.equal(matchSuccessPolicy({ rules: [{ succeededCount: 4 }] }, 10, done), 'SuccessPolicy rule at index 0');
  assert.equal(matchSuccessPolicy({ rules: [{ succeededCount: 5 }] }, 10, done), undefined);
});

function failedPod(exitCode: number, conditions: { type: string; status: string }[] = []): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns' },
    status: { phase: 'Failed', conditions, containerStatuses: [{ name: 'c', state: { terminated: { exitCode } } }] },
  };
}

test('podFailurePolicy matching', () => {
  const policy = {
    rules: [
      { action: 'Ignore' as const, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'Count' as const, onExitCodes: { operator: 'In' as const, values: [1] } },
      { action: 'FailJob' as const, onExitCodes: { operator: 'NotIn' as const, values: [1, 2] } },
    ],
  };
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod(1, [{ type: 'DisruptionTarget', status: 'True' }])), { countFailed: false, action: 'Ignore' });
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod(1)), { countFailed: true, action: 'Count' });
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod(7)), { countFailed: true, action: 'FailJob', failJobMessage: 'Container c for pod ns/p failed with exit code 7 matching FailJob rule at index 2' });
  // Exit code 2 matches nothing: counted as usual. Exit code 0 never matches NotIn.
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod(2)), { countFailed: true });
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod(0)), { countFailed: true });
  assert.deepEqual(
    matchPodFailurePolicy({ rules: [{ action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue' }] }] }, failedPod(1, [{ type: 'ConfigIssue', status: 'True' }])),
    { countFailed: true, action: 'FailJob', failJobMessage: 'Pod ns/p has condition ConfigIssue matching FailJob rule at index 0' },
  );
});

test('pod failure backoff: 10 s doubling, capped at 6 min, from the last failure', () => {
  assert.equal(remainingBackoffMs(0, undefined, 0, 10_000, 360_000), 0);
  assert.equal(remainingBackoffMs(1, 1000, 1000, 10_000, 360_000), 10_000);
  assert.equal(remainingBackoffMs(3, 1000, 5000, 10_000, 360_000), 36_000);
  assert.equal(remainingBackoffMs(20, 0, 0, 10_000, 360_000), 360_000);
  assert.equal(remainingBackoffMs(1, 0, 20_000, 10_000, 360_000), 0);
  const store = new BackoffStore();
  const at = (iso: string): Pod => ({ metadata: { name: 'p' }, status: { containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 1, finishedAt: iso } } }] } });
  let rec = store.next('k', [], [at('2024-01-01T00:00:01Z'), at('2024-01-01T00:00:03Z')]);
  assert.deepEqual(rec, { key: 'k', failuresAfterLastSuccess: 2, lastFailureTime: Date.parse('2024-01-01T00:00:03Z') });
  store.update(rec);
  // A success resets the count to the failures after it.
  rec = store.next('k', [at('2024-01-01T00:00:05Z')], [at('2024-01-01T00:00:04Z'), at('2024-01-01T00:00:06Z')]);
  assert.deepEqual(rec, { key: 'k', failuresAfterLastSuccess: 1, lastFailureTime: Date.parse('2024-01-01T00:00:06Z') });
});
