// The snapshot schedule's wiring: a snapshot named etcd-snapshot at each activation, pruned to the
// retention after each, a failure logged without stopping the schedule, and a prompt stop on abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../util/log.js';
import { parseSchedule } from '../../controllers/cronjob/cron-schedule.js';
import { runSnapshotSchedule } from './snapshot-schedule.js';

test('runSnapshotSchedule: saves and prunes at each activation; goes on after a failure; stops on abort', async () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l) });
  const ac = new AbortController();
  const calls: string[] = [];
  let n = 0;
  const done = runSnapshotSchedule({
    serverDir: '/srv',
    schedule: { next: (ms) => ms + 100 },
    cron: '@every 0.1s',
    retention: 3,
    log,
    signal: ac.signal,
    save: async (dir, o) => {
      calls.push(`save ${dir} ${o.name}`);
      if (++n === 2) throw new Error('disk full');
      return { name: `${o.name}-n1-${n}`, path: `/srv/db/snapshots/${o.name}-n1-${n}`, bytes: 4128, revision: 10 * n, sha256: 'ab', ms: 5 };
    },
    prune: async (dir, name, retention) => {
      calls.push(`prune ${name} ${retention}`);
      return n === 3 ? ['/srv/db/snapshots/old'] : [];
    },
  });
  while (n < 3) await new Promise((r) => setTimeout(r, 20));
  const t = Date.now();
  ac.abort();
  await done;
  assert.ok(Date.now() - t < 100, 'stopped at once');
  assert.deepEqual(calls.slice(0, 5), ['save /srv etcd-snapshot', 'prune etcd-snapshot 3', 'save /srv etcd-snapshot', 'save /srv etcd-snapshot', 'prune etcd-snapshot 3']);
  const text = lines.join('\n');
  assert.match(text, /etcd snapshots: scheduled "@every 0\.1s", keeping 3; next at \d{4}-/);
  assert.match(text, /etcd snapshot etcd-snapshot-n1-1: revision 10, 4128 bytes, 5 ms, \/srv\/db\/snapshots\/etcd-snapshot-n1-1\n/);
  assert.match(text, /ERROR.*etcd snapshot failed: disk full/);
  assert.match(text, /etcd snapshot etcd-snapshot-n1-3: .*; pruned 1 beyond the newest 3/);
});

test("the default schedule is k3s's: at 00:00 and 12:00", () => {
  const s = parseSchedule('0 */12 * * *');
  const first = s.next(Date.UTC(2024, 0, 1, 5, 30))!;
  assert.equal(new Date(first).toISOString(), '2024-01-01T12:00:00.000Z');
  assert.equal(new Date(s.next(first)!).toISOString(), '2024-01-02T00:00:00.000Z');
});
