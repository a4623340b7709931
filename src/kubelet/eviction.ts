// Node-pressure eviction (basic, as upstream's eviction manager with hard thresholds): when
// memory.available or nodefs.available falls below its threshold, the kubelet fails one pod at a
// time — the one ranked first: pods using more than they requested before those within their
// requests, then lower priority, then larger usage — with reason Evicted and upstream's message.
// Critical pods (system-node-critical / system-cluster-critical priority) and static pods are spared.
import type { KObject } from '../api/types.js';
import { parseQuantity } from '../api/quantity.js';
import { MIRROR_ANNOTATION } from './static-pods.js';

export type Signal = 'memory' | 'ephemeral-storage';

export interface PodUsage {
  pod: KObject;
  /** Bytes in use (memory working set, or writable layer + logs for disk). */
  usage: number;
}

const CRITICAL_PRIORITY = 2_000_000_000;

function requestOf(pod: KObject, resource: Signal): number {
  let sum = 0;
  for (const c of ((pod.spec as { containers?: { resources?: { requests?: Record<string, string> } }[] }).containers ?? [])) {
    const q = c.resources?.requests?.[resource];
    const parsed = q === undefined ? undefined : parseQuantity(q);
    if (parsed) sum += Number(parsed.nanos / 1_000_000_000n);
  }
  return sum;
}

export function evictable(pod: KObject): boolean {
  const priority = (pod.spec as { priority?: number }).priority ?? 0;
  if (priority >= CRITICAL_PRIORITY) return false;
  if (pod.metadata.annotations?.[MIRROR_ANNOTATION]) return false;
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** The pod to evict first for the starved resource, or undefined when none may be evicted. */
export function pickVictim(candidates: PodUsage[], resource: Signal): PodUsage | undefined {
  const ranked = candidates.filter((c) => evictable(c.pod)).map((c) => ({ ...c, over: c.usage > requestOf(c.pod, resource), priority: (c.pod.spec as { priority?: number }).priority ?? 0 }));
  ranked.sort((a, b) => Number(b.over) - Number(a.over) || a.priority - b.priority || b.usage - a.usage);
  return ranked[0];
}

const mi = (bytes: number) => `${Math.round(bytes / 1024 / 1024)}Mi`;

/** Upstream's status message for an evicted pod. */
export function evictionMessage(resource: Signal, thresholdBytes: number, availableBytes: number, victim: PodUsage): string {
  const req = requestOf(victim.pod, resource);
  return `The node was low on resource: ${resource}. Threshold quantity: ${mi(thresholdBytes)}, available: ${mi(availableBytes)}. Pod ${victim.pod.metadata.name} was using ${mi(victim.usage)}, request is ${req ? mi(req) : '0'}.`;
}
