import { test } from 'node:test';
import { until } from '../../../test/support/poll.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLogs } from './log-reader.js';
import type { LogReadOptions } from './log-reader.js';
import { fixedNanoTime, formatCriLine, parseCriLine } from './cri-log.js';

function sink() {
  const chunks: Buffer[] = [];
  return { chunks, text: () => Buffer.concat(chunks).toString(), write: (b: Buffer) => (chunks.push(b), true), drained: async () => {} };
}

const base = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(base + s * 1000);

function logFile(lines: string[]): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kts-logs-'));
  const path = join(dir, '0.log');
  writeFileSync(path, lines.join(''));
  return { dir, path };
}

async function read(path: string, o: Partial<LogReadOptions>, running = false): Promise<string> {
  const s = sink();
  await readLogs(path, { follow: false, timestamps: false, ...o }, s, async () => running, new AbortController().signal);
  return s.text();
}

test('parses CRI lines and fixes the timestamp precision', () => {
  const l = parseCriLine(Buffer.from('2026-11-22T18:52:29.9081Z stderr P hello world'))!;
  assert.equal(l.stream, 'stderr');
  assert.equal(l.partial, true);
  assert.equal(l.text.toString(), 'hello world');
  assert.equal(fixedNanoTime(l.time), '2026-11-22T18:52:29.908100000Z');
  assert.equal(parseCriLine(Buffer.from('garbage')), undefined);
  assert.equal(parseCriLine(Buffer.from('2026-11-22T18:52:29Z stdout F '))?.text.length, 0);
});

test('joins partial lines, tails, filters by time, prefixes timestamps, limits bytes', async () => {
  const { dir, path } = logFile([formatCriLine(at(0), 'stdout', 'one'), formatCriLine(at(1), 'stderr', 'tw', true), formatCriLine(at(1), 'stderr', 'o'), formatCriLine(at(2), 'stdout', 'three'), formatCriLine(at(3), 'stdout', 'four')]);
  try {
    assert.equal(await read(path, {}), 'one\ntwo\nthree\nfour\n');
    assert.equal(await read(path, { tailLines: 2 }), 'three\nfour\n');
    assert.equal(await read(path, { tailLines: 0 }), '');
    assert.equal(await read(path, { tailLines: 100 }), 'one\ntwo\nthree\nfour\n');
    assert.equal(await read(path, { sinceMs: base + 2000 }), 'three\nfour\n');
    assert.equal(await read(path, { limitBytes: 6 }), 'one\ntw');
    assert.equal(await read(path, { tailLines: 1, timestamps: true }), '2026-01-01T00:00:03.000000000Z four\n');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('follow keeps reading as the file grows and across rotation, and ends when the container exits', async () => {
  const { dir, path } = logFile([formatCriLine(at(0), 'stdout', 'a')]);
  // Aborted in finally: a failed assertion must not leave the follower running (the process would never exit).
  const ac = new AbortController();
  try {
    const s = sink();
    let running = true;
    const done = readLogs(path, { follow: true, timestamps: false }, s, async () => running, ac.signal);
    await until(() => s.text() === 'a\n', 10_000, 'the first line');
    appendFileSync(path, formatCriLine(at(1), 'stdout', 'b'));
    await until(() => s.text() === 'a\nb\n', 10_000, 'an appended line');
    appendFileSync(path, formatCriLine(at(2), 'stdout', 'c'));
    renameSync(path, `${path}.20260101-000002`);
    writeFileSync(path, formatCriLine(at(3), 'stdout', 'd'));
    await until(() => s.text() === 'a\nb\nc\nd\n', 10_000, 'lines across rotation');
    appendFileSync(path, formatCriLine(at(4), 'stdout', 'last'));
    running = false;
    await done;
    assert.equal(s.text(), 'a\nb\nc\nd\nlast\n');
  } finally {
    ac.abort();
    rmSync(dir, { recursive: true });
  }
});

test('follow stops when the signal aborts', async () => {
  const { dir, path } = logFile([formatCriLine(at(0), 'stdout', 'x')]);
  try {
    const ac = new AbortController();
    const s = sink();
    const done = readLogs(path, { follow: true, timestamps: false }, s, async () => true, ac.signal);
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await done;
    assert.equal(s.text(), 'x\n');
  } finally {
    rmSync(dir, { recursive: true });
  }
});
