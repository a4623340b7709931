// Wall-clock arithmetic in an IANA time zone, the part of Go's `time` package that robfig/cron's
// Next() relies on: the fields of an instant in a zone, and `time.Date` (which normalises
// overflowing fields and resolves wall times that a DST change skips or repeats as Go does).
// Built on Intl, so any zone Node knows works; UTC takes a fast path.

export interface WallTime {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when Intl knows the zone (Go's time.LoadLocation succeeding). */
export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export function wallTime(ms: number, tz: string): WallTime {
  if (tz === 'UTC') {
    const d = new Date(ms);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), weekday: d.getUTCDay() };
  }
  const f: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) if (p.type !== 'literal') f[p.type] = Number(p.value);
  const weekday = new Date(Date.UTC(f.year!, f.month! - 1, f.day!)).getUTCDay();
  return { year: f.year!, month: f.month!, day: f.day!, hour: f.hour!, minute: f.minute!, second: f.second!, weekday };
}

/** The zone's offset from UTC at instant `ms`, in ms (whole seconds). */
export function offsetAt(ms: number, tz: string): number {
  if (tz === 'UTC') return 0;
  const w = wallTime(ms, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * Go's time.Date(year, month, day, hour, min, sec, 0, loc): fields may overflow (Jan 32 is Feb 1).
 * A wall time that does not exist or exists twice resolves as Go does: take the offset in force at
 * the wall time read as UTC; if the resulting instant has another offset, use that one instead.
 */
export function zonedDate(year: number, month: number, day: number, hour: number, minute: number, second: number, tz: string): number {
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  if (tz === 'UTC') return local;
  const o1 = offsetAt(local, tz);
  const utc = local - o1;
  const o2 = offsetAt(utc, tz);
  return o2 === o1 ? utc : local - o2;
}
