// Serves a container's CRI log file as `kubectl logs` expects: tail, since, timestamps, limitBytes,
// and follow — keep reading as the file grows, across rotation (0.log renamed to 0.log.<time> and a
// new 0.log created), until the container has exited and the file is drained, or the signal aborts.
import { open, stat } from 'node:fs/promises';
import { sleep } from '../../util/sleep.js';
import type { FileHandle } from 'node:fs/promises';
import { fixedNanoTime, parseCriLine } from './cri-log.js';

export interface LogReadOptions {
  follow: boolean;
  /** Only the last N lines of the file (raw lines, as upstream counts them). */
  tailLines?: number;
  /** Drop lines stamped before this time (ms since the epoch). */
  sinceMs?: number;
  timestamps: boolean;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
}

/** Where output goes: `write` returns false when the caller should wait for `drained()`. */
export interface LogSink {
  write(chunk: Buffer): boolean;
  drained(): Promise<void>;
}

const CHUNK = 64 * 1024;
const POLL_MS = 100;
/** How often a follower asks whether the container still runs while the file is idle. */
const RUNNING_CHECK_MS = 500;

/** Byte offset where the last `n` lines of the file start. */
export async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n === 0) return size;
  let pos = size;
  let newlines = 0;
  const buf = Buffer.alloc(CHUNK);
  // A final newline ends the last line; it does not start a new one.
  let skipLast = true;
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    await fh.read(buf, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) {
        skipLast = false;
        continue;
      }
      if (skipLast) {
        skipLast = false;
        continue;
      }
      newlines++;
      if (newlines === n) return pos + i + 1;
    }
  }
  return 0;
}

/** Turns raw file bytes into output: line splitting, partial-line joining, since, timestamps, limit. */
class LogFormatter {
  private carry = Buffer.alloc(0);
  private partial: Buffer[] = [];
  private partialTime = '';
  private written = 0;
  done = false;

  constructor(private readonly opts: LogReadOptions, private readonly sink: LogSink) {}

  /** Feeds bytes; resolves after writing (and waiting for the sink when it is full). */
  async feed(data: Buffer): Promise<void> {
    const buf = this.carry.length ? Buffer.concat([this.carry, data]) : data;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0) break;
      await this.line(buf.subarray(start, nl));
      start = nl + 1;
      if (this.done) return;
    }
    this.carry = Buffer.from(buf.subarray(start));
  }

  private async line(raw: Buffer): Promise<void> {
    const l = parseCriLine(raw);
    if (!l) return;
    if (l.partial) {
      if (!this.partial.length) this.partialTime = l.time;
      this.partial.push(l.text);
      return;
    }
    const time = this.partial.length ? this.partialTime : l.time;
    const text = this.partial.length ? Buffer.concat([...this.partial, l.text]) : l.text;
    this.partial = [];
    if (this.opts.sinceMs !== undefined && Date.parse(time) < this.opts.sinceMs) return;
    await this.emit(time, text, true);
  }

  /** At the end of a non-follow read: a trailing partial line is shown as it is. */
  async flush(): Promise<void> {
    if (!this.partial.length || this.done) return;
    const text = Buffer.concat(this.partial);
    this.partial = [];
    if (this.opts.sinceMs !== undefined && Date.parse(this.partialTime) < this.opts.sinceMs) return;
    await this.emit(this.partialTime, text, false);
  }

  private async emit(time: string, text: Buffer, newline: boolean): Promise<void> {
    const parts = [this.opts.timestamps ? Buffer.from(`${fixedNanoTime(time)} `) : undefined, text, newline ? Buffer.from('\n') : undefined].filter((b): b is Buffer => !!b);
    let out = Buffer.concat(parts);
    if (this.opts.limitBytes !== undefined) {
      const left = this.opts.limitBytes - this.written;
      if (out.length >= left) {
        out = out.subarray(0, left);
        this.done = true;
      }
    }
    this.written += out.length;
    if (out.length && !this.sink.write(out)) await this.sink.drained();
  }
}

/**
 * Streams the log at `path` to `sink`. `isRunning` is asked (when following) whether more output
 * can come; the read ends once it says no and the file is drained.
 */
export async function readLogs(path: string, opts: LogReadOptions, sink: LogSink, isRunning: () => Promise<boolean>, signal: AbortSignal): Promise<void> {
  const fmt = new LogFormatter(opts, sink);
  let fh = await open(path, 'r');
  try {
    let ino = (await fh.stat()).ino;
    let pos = opts.tailLines !== undefined ? await tailOffset(fh, (await fh.stat()).size, opts.tailLines) : 0;
    const buf = Buffer.alloc(CHUNK);
    let lastCheck = 0;
    let exited = false;
    while (!signal.aborted && !fmt.done) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        await fmt.feed(Buffer.from(buf.subarray(0, bytesRead)));
        continue;
      }
      if (!opts.follow || exited) break;
      // At the end of the open file: has it been rotated away?
      const cur = await stat(path).catch(() => undefined);
      if (cur && cur.ino !== ino) {
        // The old file is drained (read returned 0 above); carry on with the new one from its start.
        await fh.close();
        fh = await open(path, 'r');
        ino = (await fh.stat()).ino;
        pos = 0;
        continue;
      }
      if (Date.now() - lastCheck >= RUNNING_CHECK_MS) {
        lastCheck = Date.now();
        // One more read after learning it exited catches output written just before the exit.
        if (!(await isRunning())) {
          exited = true;
          continue;
        }
      }
      await sleep(POLL_MS, signal);
    }
    if (!signal.aborted) await fmt.flush();
  } finally {
    await fh.close();
  }
}
