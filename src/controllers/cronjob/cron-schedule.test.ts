import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule } from './cron-schedule.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

function next(schedule: string, from: string, tz?: string): string | undefined {
  return iso(parseSchedule(schedule, tz).next(at(from)));
}

/** The first `n` activations after `from`. */
function nexts(schedule: string, from: string, n: number, tz?: string): string[] {
  const s = parseSchedule(schedule, tz);
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    t = s.next(t)!;
    out.push(iso(t)!);
  }
  return out;
}

test('every minute, hourly, steps and ranges', () => {
  assert.equal(next('* * * * *', '2024-01-01T00:00:30Z'), '2024-01-01T00:01:00.000Z');
  assert.equal(next('* * * * *', '2024-01-01T00:01:00Z'), '2024-01-01T00:02:00.000Z');
  assert.equal(next('@hourly', '2024-01-01T10:00:00Z'), '2024-01-01T11:00:00.000Z');
  assert.deepEqual(nexts('*/20 * * * *', '2024-01-01T10:05:00Z', 4), ['2024-01-01T10:20:00.000Z', '2024-01-01T10:40:00.000Z', '2024-01-01T11:00:00.000Z', '2024-01-01T11:20:00.000Z']);
  assert.deepEqual(nexts('5-10/5 1,3 * * *', '2024-01-01T00:00:00Z', 5), ['2024-01-01T01:05:00.000Z', '2024-01-01T01:10:00.000Z', '2024-01-01T03:05:00.000Z', '2024-01-01T03:10:00.000Z', '2024-01-02T01:05:00.000Z']);
  // "N/step" means N through the maximum.
  assert.deepEqual(nexts('50/5 * * * *', '2024-01-01T00:00:00Z', 3), ['2024-01-01T00:50:00.000Z', '2024-01-01T00:55:00.000Z', '2024-01-01T01:50:00.000Z']);
});

test('names, descriptors and day-of-month/day-of-week semantics', () => {
  // 2024-01-03 is a Wednesday.
  assert.equal(next('0 9 * * MON-FRI', '2024-01-05T09:00:00Z'), '2024-01-08T09:00:00.000Z');
  assert.equal(next('0 0 1 feb,Mar *', '2024-01-03T00:00:00Z'), '2024-02-01T00:00:00.000Z');
  assert.equal(next('@weekly', '2024-01-03T12:00:00Z'), '2024-01-07T00:00:00.000Z');
  assert.equal(next('@daily', '2024-01-03T12:00:00Z'), '2024-01-04T00:00:00.000Z');
  assert.equal(next('@midnight', '2024-01-03T00:00:00Z'), '2024-01-04T00:00:00.000Z');
  assert.equal(next('@monthly', '2024-01-03T12:00:00Z'), '2024-02-01T00:00:00.000Z');
  assert.equal(next('@yearly', '2024-01-03T12:00:00Z'), '2025-01-01T00:00:00.000Z');
  assert.equal(next('@annually', '2024-12-31T23:59:59Z'), '2025-01-01T00:00:00.000Z');
  // Both day fields restricted: either matches (the 13th, or any Friday).
  assert.deepEqual(nexts('0 0 13 * 5', '2024-09-01T00:00:00Z', 3), ['2024-09-06T00:00:00.000Z', '2024-09-13T00:00:00.000Z', '2024-09-20T00:00:00.000Z']);
  // One of them a star: both must match (Friday the 13th only... with `*` dow, every 13th).
  assert.equal(next('0 0 13 * *', '2024-09-14T00:00:00Z'), '2024-10-13T00:00:00.000Z');
  // A step on the star drops the star bit, so the OR rule applies: the 1st, or a Sunday.
  assert.equal(next('0 0 */31 * 0', '2024-09-02T00:00:00Z'), '2024-09-08T00:00:00.000Z');
  // Leap day.
  assert.equal(next('0 0 29 2 *', '2024-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
  // Never: no activation within five years.
  assert.equal(next('0 0 31 2 *', '2024-01-01T00:00:00Z'), undefined);
});

test('@every', () => {
  assert.equal(next('@every 90s', '2024-01-01T00:00:00.500Z'), '2024-01-01T00:01:30.000Z');
  assert.equal(next('@every 1h30m', '2024-01-01T00:00:00Z'), '2024-01-01T01:30:00.000Z');
  assert.equal(next('@every 10ms', '2024-01-01T00:00:00Z'), '2024-01-01T00:00:01.000Z');
});

test('time zones', () => {
  assert.equal(next('0 0 * * *', '2024-06-01T12:00:00Z', 'Europe/Berlin'), '2024-06-01T22:00:00.000Z');
  assert.equal(next('0 0 * * *', '2024-01-01T12:00:00Z', 'Europe/Berlin'), '2024-01-01T23:00:00.000Z');
  assert.equal(next('0 9 * * *', '2024-01-01T00:00:00Z', 'Asia/Kolkata'), '2024-01-01T03:30:00.000Z');
  // A TZ= prefix (accepted for stored objects) wins over spec.timeZone.
  assert.equal(next('TZ=Asia/Tokyo 0 9 * * *', '2024-01-01T00:00:00Z', 'Europe/Berlin'), '2024-01-02T00:00:00.000Z');
  assert.equal(next('CRON_TZ=America/New_York 0 9 * * *', '2024-01-01T00:00:00Z'), '2024-01-01T14:00:00.000Z');
  assert.throws(() => parseSchedule('0 0 * * *', 'Mars/Olympus'), /unknown time zone Mars\/Olympus/);
  assert.throws(() => parseSchedule('0 0 * *'), /expected exactly 5 fields, found 4/);
});

test('daylight saving changes', () => {
  // New York springs forward at 02:00 on 2024-03-10: 02:30 does not exist that day and is skipped.
  assert.deepEqual(nexts('30 2 * * *', '2024-03-09T00:00:00Z', 2, 'America/New_York'), ['2024-03-09T07:30:00.000Z', '2024-03-11T06:30:00.000Z']);
  // Hourly runs skip the missing hour: 01:00 EST, then 03:00 EDT.
  assert.deepEqual(nexts('0 * * * *', '2024-03-10T05:30:00Z', 2, 'America/New_York'), ['2024-03-10T06:00:00.000Z', '2024-03-10T07:00:00.000Z']);
  // Falling back on 2024-11-03, 01:30 happens twice (EDT, then EST); robfig fires at both.
  assert.deepEqual(nexts('30 1 * * *', '2024-11-03T00:00:00Z', 3, 'America/New_York'), ['2024-11-03T05:30:00.000Z', '2024-11-03T06:30:00.000Z', '2024-11-04T06:30:00.000Z']);
  // Midnight in Berlin across the spring change (UTC+1 → UTC+2 on 2024-03-31).
  assert.deepEqual(nexts('0 0 * * *', '2024-03-30T00:00:00Z', 2, 'Europe/Berlin'), ['2024-03-30T23:00:00.000Z', '2024-03-31T22:00:00.000Z']);
  // Where midnight itself is skipped (Havana springs 00:00 → 01:00 on 2024-03-10), the day's
  // first hour stands in.
  assert.equal(next('0 * 10 3 *', '2024-03-09T12:00:00Z', 'America/Havana'), '2024-03-10T05:00:00.000Z');
});
