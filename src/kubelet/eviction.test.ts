import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickVictim, evictionMessage } from './eviction.js';
import type { KObject } from '../api/types.js';

const pod = (name: string, o: { request?: string; priority?: number; mirror?: boolean } = {}): KObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: name, annotations: o.mirror ? { 'kubernetes.io/config.mirror': 'h' } : ({} as Record<string, string>) },
  spec: { priority: o.priority ?? 0, containers: [{ name: 'c', resources: o.request ? { requests: { memory: o.request } } : {} }] },
  status: { phase: 'Running' },
});
const Mi = 1024 * 1024;

test('pods over their requests go first, then lower priority, then larger usage; critical and static pods are spared', () => {
  const within = { pod: pod('within', { request: '500Mi' }), usage: 400 * Mi };
  const over = { pod: pod('over', { request: '10Mi' }), usage: 50 * Mi };
  const big = { pod: pod('big'), usage: 300 * Mi };
  const critical = { pod: pod('critical', { priority: 2_000_001_000 }), usage: 900 * Mi };
  const mirror = { pod: pod('mirror', { mirror: true }), usage: 900 * Mi };
  assert.equal(pickVictim([within, over, big, critical, mirror], 'memory')?.pod.metadata.name, 'big');
  assert.equal(pickVictim([within, over], 'memory')?.pod.metadata.name, 'over');
  assert.equal(pickVictim([critical, mirror], 'memory'), undefined);
  assert.equal(evictionMessage('memory', 100 * Mi, 80 * Mi, over), 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi. Pod over was using 50Mi, request is 10Mi.');
});
