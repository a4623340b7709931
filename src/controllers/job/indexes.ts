// Completion indexes of Indexed Jobs: the ordered-interval form of status.completedIndexes /
// status.failedIndexes ("0-2,4"), a pod's index from its annotation, and the successPolicy rules
// that are matched against succeeded indexes (upstream pkg/controller/job/indexed_job_utils.go and
// success_policy.go).
import { COMPLETION_INDEX_ANNOTATION } from './types.js';
import type { Pod } from './types.js';

export interface Interval {
  first: number;
  last: number;
}

/** Sorted, non-overlapping, non-adjacent intervals. */
export type Intervals = Interval[];

export function total(iv: Intervals): number {
  return iv.reduce((n, i) => n + i.last - i.first + 1, 0);
}

export function has(iv: Intervals, ix: number): boolean {
  return iv.some((i) => ix >= i.first && ix <= i.last);
}

export function formatIntervals(iv: Intervals): string {
  return iv.map((i) => (i.first === i.last ? String(i.first) : i.last === i.first + 1 ? `${i.first},${i.last}` : `${i.first}-${i.last}`)).join(',');
}

/** Intervals from sorted indexes, merging adjacent ones. */
export function fromIndexes(indexes: Iterable<number>): Intervals {
  const out: Intervals = [];
  for (const ix of [...new Set(indexes)].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && ix === last.last + 1) last.last = ix;
    else out.push({ first: ix, last: ix });
  }
  return out;
}

/** Adds indexes to intervals (withOrderedIndexes). */
export function withIndexes(iv: Intervals, indexes: Iterable<number>): Intervals {
  const all: number[] = [...indexes];
  for (const i of iv) for (let x = i.first; x <= i.last; x++) all.push(x);
  return fromIndexes(all);
}

/** Parses "0-2,4" keeping only indexes below `completions`; malformed parts are skipped. */
export function parseIntervals(s: string | undefined, completions: number): Intervals {
  if (!s) return [];
  const indexes: number[] = [];
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(m[2] === undefined ? first : Number(m[2]), completions - 1);
    for (let x = first; x <= last; x++) indexes.push(x);
  }
  return fromIndexes(indexes);
}

/** The pod's completion index, or -1 when missing or malformed. */
export function completionIndex(pod: Pod): number {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^\d+$/.test(v)) return -1;
  return Number(v);
}

/** The message of the first successPolicy rule the succeeded indexes satisfy, if any. */
export function matchSuccessPolicy(policy: { rules: { succeededIndexes?: string; succeededCount?: number }[] } | null | undefined, completions: number, succeeded: Intervals): string | undefined {
  if (!policy || succeeded.length === 0) return undefined;
  for (const [i, rule] of policy.rules.entries()) {
    if (rule.succeededIndexes !== undefined) {
      const required = parseIntervals(rule.succeededIndexes, completions);
      if (required.length === 0) continue;
      let contains = 0;
      for (const r of required) for (const s of succeeded) contains += Math.max(0, Math.min(r.last, s.last) - Math.max(r.first, s.first) + 1);
      if (contains === total(required) || (rule.succeededCount !== undefined && contains >= rule.succeededCount)) return `SuccessPolicy rule at index ${i}`;
    } else if (rule.succeededCount !== undefined && total(succeeded) >= rule.succeededCount) {
      return `SuccessPolicy rule at index ${i}`;
    }
  }
  return undefined;
}
