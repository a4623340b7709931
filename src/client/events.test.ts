import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/types.js';
import type { RestClient } from './rest-client.js';
import { EventRecorder, MAX_QUEUED_EVENTS } from './events.js';

/** A client whose event creates wait until released; it counts what reached it. */
function slowClient(): { client: RestClient; created: KObject[]; release: () => void } {
  const created: KObject[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const client = {
    create: async (_path: string, obj: KObject) => {
      await gate;
      created.push(obj);
      return obj;
    },
  } as unknown as RestClient;
  return { client, created, release: open };
}

const pod = (i: number): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, namespace: 'default', uid: `uid-${i}` } });

test('at most MAX_QUEUED_EVENTS events wait to be written; the rest are dropped, and counted', async () => {
  const { client, created, release } = slowClient();
  const warnings: string[] = [];
  const log = { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: () => {}, child: () => log };
  const r = new EventRecorder(client, { component: 'test' }, log as never);
  const n = MAX_QUEUED_EVENTS + 250;
  for (let i = 0; i < n; i++) r.event(pod(i), 'Normal', 'Scheduled', `Successfully assigned default/p-${i} to n`);
  assert.equal(r.dropped, 250);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^1000 events are waiting to be written: dropping new ones \(1 so far; this one: Scheduled Pod default\/p-1000\)$/);
  release();
  await r.flush();
  assert.equal(created.length, MAX_QUEUED_EVENTS);
  // The first ones were kept, the newest dropped.
  assert.deepEqual(new Set(created.map((e) => (e.involvedObject as { name: string }).name)), new Set(Array.from({ length: MAX_QUEUED_EVENTS }, (_, i) => `p-${i}`)));
  // Once written, new events are taken again.
  r.event(pod(n), 'Normal', 'Scheduled', 'again');
  await r.flush();
  assert.equal(created.length, MAX_QUEUED_EVENTS + 1);
  assert.equal(r.dropped, 250);
});
