import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule } from './cron-schedule.js';
import { mostRecentScheduleTime, nextScheduleDelayMs } from './schedule-times.js';

const at = (iso: string): number => Date.parse(iso);

test('no unmet time before the first schedule; the next one is requeued with 100 ms to spare', () => {
  const s = parseSchedule('0 * * * *');
  const cj = { creationTimestamp: '2024-01-01T10:05:00Z' };
  assert.deepEqual(mostRecentScheduleTime(cj, at('2024-01-01T10:30:00Z'), s, true), { earliest: at('2024-01-01T10:05:00Z'), missed: 'none' });
  assert.equal(nextScheduleDelayMs(cj, at('2024-01-01T10:30:00Z'), s), 30 * 60_000 + 100);
});

test('the most recent unmet time after lastScheduleTime, and how many were missed', () => {
  const s = parseSchedule('0 * * * *');
  const cj = { creationTimestamp: '2024-01-01T00:00:00Z', lastScheduleTime: '2024-01-01T10:00:00Z' };
  assert.deepEqual(mostRecentScheduleTime(cj, at('2024-01-01T11:00:30Z'), s, true), { earliest: at('2024-01-01T10:00:00Z'), mostRecent: at('2024-01-01T11:00:00Z'), missed: 'none' });
  const r = mostRecentScheduleTime(cj, at('2024-01-01T15:20:00Z'), s, true);
  assert.equal(r.mostRecent, at('2024-01-01T15:00:00Z'));
  assert.equal(r.missed, 'few');
  // Requeue at the schedule after the most recent one.
  assert.equal(nextScheduleDelayMs(cj, at('2024-01-01T15:20:00Z'), s), 40 * 60_000 + 100);
  // More than 100 missed: reported as many (TooManyMissedTimes), still the latest time.
  const many = mostRecentScheduleTime({ lastScheduleTime: '2024-01-01T00:00:00Z' }, at('2024-01-01T03:00:10Z'), parseSchedule('* * * * *'), true);
  assert.equal(many.missed, 'many');
  assert.equal(many.mostRecent, at('2024-01-01T03:00:00Z'));
});

test('irregular schedules land on a real schedule time', () => {
  const s = parseSchedule('30 6-16/4 * * 1-5');
  // Runs at 06:30, 10:30 and 14:30 on weekdays; 2024-01-05 is a Friday. The estimate from the
  // 4-hour interval overshoots the nights, and the walk back lands on 14:30.
  const r = mostRecentScheduleTime({ lastScheduleTime: '2024-01-01T06:30:00Z' }, at('2024-01-05T16:00:00Z'), s, true);
  assert.equal(r.mostRecent, at('2024-01-05T14:30:00Z'));
  assert.equal(r.missed, 'few');
});

test('startingDeadlineSeconds: older schedule times are not considered', () => {
  const s = parseSchedule('0 0 * * *');
  const cj = { creationTimestamp: '2024-01-01T12:00:00Z', startingDeadlineSeconds: 100 };
  assert.equal(mostRecentScheduleTime(cj, at('2024-01-02T00:03:20Z'), s, true).mostRecent, undefined);
  assert.equal(mostRecentScheduleTime(cj, at('2024-01-02T00:01:00Z'), s, true).mostRecent, at('2024-01-02T00:00:00Z'));
  assert.equal(mostRecentScheduleTime({ ...cj, startingDeadlineSeconds: null }, at('2024-01-02T00:03:20Z'), s, true).mostRecent, at('2024-01-02T00:00:00Z'));
});

test('a schedule that never fires is an error', () => {
  const r = mostRecentScheduleTime({ creationTimestamp: '2024-01-01T00:00:00Z' }, at('2024-06-01T00:00:00Z'), parseSchedule('0 0 31 2 *'), true);
  assert.equal(r.error, 'time difference between two schedules is less than 1 second');
});
