// Load probe for the SQLite write path (numbers quoted in docs/storage.md): 8 concurrent loops each
// awaiting create() for a few seconds, reporting creates/s and how long the event loop was blocked
// (perf_hooks.monitorEventLoopDelay with 1 ms resolution, which includes that 1 ms) and how busy the
// main thread was (event-loop utilization: the share of time it was not idle waiting for I/O). Usage: node --import tsx write-load.ts [seconds]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openSqliteBackend } from '../sqlite.js';

const seconds = Number(process.argv[2] ?? 5);
const dir = await mkdtemp(join(tmpdir(), 'kts-write-load-'));
const backend = await openSqliteBackend(dir, { compactIntervalMs: 0 });
const value = JSON.stringify({ kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { pad: 'x'.repeat(400) } });
let created = 0;
let next = 0;
const deadline = performance.now() + seconds * 1000;
const lag = monitorEventLoopDelay({ resolution: 1 });
lag.enable();
const elu = performance.eventLoopUtilization();
const started = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (performance.now() < deadline) {
      await backend.create(`/registry/configmaps/default/c-${next++}`, value);
      created++;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
lag.disable();
const busy = performance.eventLoopUtilization(elu).utilization;
await backend.close();
await rm(dir, { recursive: true, force: true });
const ms = (ns: number): string => (ns / 1e6).toFixed(1);
console.log(
  `creates/s ${(created / elapsed).toFixed(0)}  event-loop delay: mean ${ms(lag.mean)} ms, p50 ${ms(lag.percentile(50))} ms, ` +
    `p99 ${ms(lag.percentile(99))} ms, max ${ms(lag.max)} ms; main thread busy ${(busy * 100).toFixed(0)}%`,
);
