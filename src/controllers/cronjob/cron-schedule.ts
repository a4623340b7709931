// Cron schedules as the CronJob controller reads them (robfig/cron v3's ParseStandard and
// SpecSchedule.Next): five fields with ranges, steps, lists and month/weekday names, the
// @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly descriptors, `@every <duration>`,
// and a `TZ=`/`CRON_TZ=` prefix (rejected at validation but honoured for stored objects, as
// upstream). Next() walks wall-clock fields in the schedule's zone, so DST gaps and repeats behave
// as upstream's (a 02:30 job is skipped on a spring-forward day; a 01:30 job fires at both
// 01:30s on a fall-back day).
import { cronParseError } from '../../api/validation/cron.js';
import { isValidTimeZone, wallTime, zonedDate } from './zoned-time.js';

export interface Schedule {
  /** The first activation strictly after `ms` (whole seconds), or undefined if none within 5 years. */
  next(ms: number): number | undefined;
}

interface FieldSpec {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(DAYS.map((d, i) => [d, i])) },
];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A parsed field: allowed values, and robfig's "star bit" (the field was `*` or `?` without a step > 1). */
interface Field {
  values: Set<number>;
  star: boolean;
}

function parseValue(s: string, f: FieldSpec): number {
  return f.names?.[s.toLowerCase()] ?? Number(s);
}

function parseField(text: string, f: FieldSpec): Field {
  const values = new Set<number>();
  let star = false;
  for (const expr of text.split(',').filter(Boolean)) {
    const [range, stepText] = expr.split('/');
    const bounds = range!.split('-');
    let start: number;
    let end: number;
    let exprStar = false;
    if (bounds[0] === '*' || bounds[0] === '?') {
      start = f.min;
      end = f.max;
      exprStar = true;
    } else {
      start = parseValue(bounds[0]!, f);
      end = bounds.length === 2 ? parseValue(bounds[1]!, f) : start;
    }
    let step = 1;
    if (stepText !== undefined) {
      step = Number(stepText);
      if (bounds.length === 1) end = f.max;
      if (step > 1) exprStar = false;
    }
    for (let v = start; v <= end; v += step) values.add(v);
    star ||= exprStar;
  }
  return { values, star };
}

/** Go's time.ParseDuration for `@every` (units h, m, s, ms, us/µs, ns; fractions allowed). */
function parseGoDuration(s: string): number {
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  if (s === '0') return 0;
  const sign = s.startsWith('-') ? -1 : 1;
  let total = 0;
  for (const m of s.replace(/^[-+]/, '').matchAll(/([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return sign * total;
}

class SpecSchedule implements Schedule {
  constructor(
    private readonly f: Field[],
    private readonly tz: string,
  ) {}

  private dayMatches(w: { day: number; weekday: number }): boolean {
    const dom = this.f[2]!;
    const dow = this.f[4]!;
    const domMatch = dom.values.has(w.day);
    const dowMatch = dow.values.has(w.weekday);
    // Upstream's quirk: with either day field a star, both must match; otherwise either may.
    return dom.star || dow.star ? domMatch && dowMatch : domMatch || dowMatch;
  }

  next(from: number): number | undefined {
    const [minute, hour, , month] = this.f as [Field, Field, Field, Field, Field];
    const tz = this.tz;
    // The upcoming whole second.
    let t = Math.floor(from / 1000) * 1000 + 1000;
    let added = false;
    let w = wallTime(t, tz);
    const yearLimit = w.year + 5;
    wrap: for (;;) {
      if (w.year > yearLimit) return undefined;
      while (!month.values.has(w.month)) {
        if (!added) {
          added = true;
          t = zonedDate(w.year, w.month, 1, 0, 0, 0, tz);
          w = wallTime(t, tz);
        }
        t = zonedDate(w.year, w.month + 1, w.day, w.hour, w.minute, w.second, tz);
        w = wallTime(t, tz);
        if (w.month === 1) continue wrap;
      }
      while (!this.dayMatches(w)) {
        if (!added) {
          added = true;
          t = zonedDate(w.year, w.month, w.day, 0, 0, 0, tz);
          w = wallTime(t, tz);
        }
        t = zonedDate(w.year, w.month, w.day + 1, w.hour, w.minute, w.second, tz);
        w = wallTime(t, tz);
        // Midnight may not exist on a DST day: snap back to the day's first hour.
        if (w.hour !== 0) {
          t += (w.hour > 12 ? 24 - w.hour : -w.hour) * 3_600_000;
          w = wallTime(t, tz);
        }
        if (w.day === 1) continue wrap;
      }
      while (!hour.values.has(w.hour)) {
        if (!added) {
          added = true;
          t = zonedDate(w.year, w.month, w.day, w.hour, 0, 0, tz);
        }
        t += 3_600_000;
        w = wallTime(t, tz);
        if (w.hour === 0) continue wrap;
      }
      while (!minute.values.has(w.minute)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 60_000) * 60_000;
        }
        t += 60_000;
        w = wallTime(t, tz);
        if (w.minute === 0) continue wrap;
      }
      while (w.second !== 0) {
        if (!added) {
          added = true;
          t = Math.floor(t / 1000) * 1000;
        }
        t += 1000;
        w = wallTime(t, tz);
        if (w.second === 0) continue wrap;
      }
      return t;
    }
  }
}

class EverySchedule implements Schedule {
  constructor(private readonly delayMs: number) {}
  next(from: number): number {
    return Math.floor(from / 1000) * 1000 + this.delayMs;
  }
}

/**
 * Parses a schedule (cron.ParseStandard); `timeZone` (spec.timeZone) applies unless the schedule
 * carries its own TZ= prefix. Zone-less schedules run in UTC, the controller's zone in kts.
 * Throws an Error with robfig's message when the schedule is invalid.
 */
export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  const err = cronParseError(schedule);
  if (err !== undefined) throw new Error(err);
  let spec = schedule;
  let tz = timeZone ?? 'UTC';
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    tz = spec.slice(spec.indexOf('=') + 1, space);
    spec = spec.slice(space).trim();
  }
  if (!isValidTimeZone(tz)) throw new Error(`provided bad location ${tz}: unknown time zone ${tz}`);
  if (spec.startsWith('@every ')) {
    // robfig: at least one second, truncated to whole seconds.
    const ms = Math.max(1000, Math.floor(parseGoDuration(spec.slice(7)) / 1000) * 1000);
    return new EverySchedule(ms);
  }
  const fields = (DESCRIPTORS[spec] ?? spec).split(/\s+/).filter(Boolean);
  return new SpecSchedule(
    fields.map((text, i) => parseField(text, FIELDS[i]!)),
    tz,
  );
}
