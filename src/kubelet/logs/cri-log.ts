// One line of a CRI container log file: `<RFC3339Nano time> <stdout|stderr> <F|P> <text>`.
// `P` marks a partial line (the runtime split a long write); the text continues in the next line.

export interface CriLogLine {
  /** The timestamp exactly as written. */
  time: string;
  /** Milliseconds since the epoch (for since filters). */
  ms: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  text: Buffer;
}

/** Parses one line (without its newline); undefined for a malformed line. */
export function parseCriLine(line: Buffer): CriLogLine | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 <= 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const time = line.subarray(0, s1).toString('latin1');
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return undefined;
  // The tag is F or P (possibly with more ':'-separated tags in future runtimes); then one space.
  const s3 = line.indexOf(0x20, s2 + 1);
  const tag = (s3 < 0 ? line.subarray(s2 + 1) : line.subarray(s2 + 1, s3)).toString('latin1');
  const text = s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1);
  return { time, ms, stream, partial: tag.split(':')[0] === 'P', text };
}

/** RFC3339Nano with a fixed nine-digit fraction, as the kubelet prints `--timestamps`. */
export function fixedNanoTime(time: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!m) return time;
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  if (m[3] === 'Z') return `${m[1]}.${frac}Z`;
  // Normalise offsets to UTC as Go's formatting of a parsed time in UTC would.
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** Formats one CRI log line as a runtime writes it (tests and the fake runtime). */
export function formatCriLine(date: Date, stream: 'stdout' | 'stderr', text: string, partial = false): string {
  return `${date.toISOString().replace(/Z$/, '000000Z')} ${stream} ${partial ? 'P' : 'F'} ${text}\n`;
}
