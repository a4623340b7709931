import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { applyDefaults } from '../defaults/index.js';
import { cronParseError } from './cron.js';
import { validateCreate, validateUpdate } from './index.js';

const msgs = (errs: FieldError[]): string[] => errs.map((e) => e.message);
const podTemplate = (restartPolicy?: string): Record<string, unknown> => ({ spec: { containers: [{ name: 'c', image: 'busybox' }], ...(restartPolicy ? { restartPolicy } : {}) } });

function job(spec: Record<string, unknown>, restartPolicy?: string): KObject {
  const j: KObject = { metadata: { name: 'pi', namespace: 'default', uid: 'uid-1' }, spec: { template: podTemplate(restartPolicy), ...spec } };
  applyDefaults('batch', 'Job', j);
  return j;
}

test('job with generated selector is valid; restartPolicy must be OnFailure or Never', () => {
  assert.deepEqual(msgs(validateCreate('batch', 'Job', job({}, 'Never'))), []);
  assert.deepEqual(msgs(validateCreate('batch', 'Job', job({}))), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  assert.deepEqual(msgs(validateCreate('batch', 'Job', job({ backoffLimit: -1 }, 'Never'))), ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0']);
});

test('job template is immutable', () => {
  const old = job({}, 'Never');
  const next = structuredClone(old);
  ((next.spec as Record<string, Record<string, Record<string, unknown>>>).template!.spec!).restartPolicy = 'OnFailure';
  const errs = msgs(validateUpdate('batch', 'Job', next, old));
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^spec\.template: Invalid value: .*: field is immutable$/);
  const suspended = structuredClone(old);
  (suspended.spec as Record<string, unknown>).suspend = true;
  assert.deepEqual(msgs(validateUpdate('batch', 'Job', suspended, old)), []);
});

test('cron schedules use robfig/cron error texts', () => {
  assert.equal(cronParseError('*/5 * * * *'), undefined);
  assert.equal(cronParseError('0 9 * * mon-fri'), undefined);
  assert.equal(cronParseError('@hourly'), undefined);
  assert.equal(cronParseError('@every 1h30m'), undefined);
  assert.equal(cronParseError('x'), 'expected exactly 5 fields, found 1: [x]');
  assert.equal(cronParseError('60 * * * *'), 'end of range (60) above maximum (59): 60');
  assert.equal(cronParseError('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
  assert.equal(cronParseError('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
  assert.equal(cronParseError('a * * * *'), 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax');
  assert.equal(cronParseError('@fortnightly'), 'unrecognized descriptor: @fortnightly');
});

test('cronjob validation', () => {
  const cj = (spec: Record<string, unknown>, name = 'nightly'): KObject => {
    const o: KObject = { metadata: { name, namespace: 'default' }, spec: { jobTemplate: { spec: { template: podTemplate('OnFailure') } }, ...spec } };
    applyDefaults('batch', 'CronJob', o);
    return o;
  };
  assert.deepEqual(msgs(validateCreate('batch', 'CronJob', cj({ schedule: '0 0 * * *', timeZone: 'Europe/Berlin' }))), []);
  assert.deepEqual(msgs(validateCreate('batch', 'CronJob', cj({}))), ['spec.schedule: Required value']);
  assert.deepEqual(msgs(validateCreate('batch', 'CronJob', cj({ schedule: 'every day' }))), ['spec.schedule: Invalid value: "every day": expected exactly 5 fields, found 2: [every day]']);
  assert.deepEqual(msgs(validateCreate('batch', 'CronJob', cj({ schedule: 'CRON_TZ=UTC 0 0 * * *' }))), ['spec.schedule: Invalid value: "CRON_TZ=UTC 0 0 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  assert.deepEqual(msgs(validateCreate('batch', 'CronJob', cj({ schedule: '0 0 * * *', timeZone: 'Mars/Olympus' }))), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  assert.deepEqual(msgs(validateCreate('batch', 'CronJob', cj({ schedule: '0 0 * * *' }, 'x'.repeat(53)))), [`metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`]);
});
