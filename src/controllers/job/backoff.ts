// Pod failure backoff per Job (upstream backoff_utils.go): the failures since the last success
// and when the last one happened, kept in memory; a replacement pod is created only after
// base * 2^(failures-1) (capped) has passed since the last failure. Upstream's base is 10 s and
// cap 6 min; tests pass smaller values through createJobController.
import { finishedTime } from './job-pods.js';
import type { Pod } from './types.js';

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

export function remainingBackoffMs(failures: number, lastFailureTime: number | undefined, now: number, baseMs: number, maxMs: number): number {
  if (failures === 0 || lastFailureTime === undefined) return 0;
  let d = baseMs;
  for (let i = 1; i < failures; i++) {
    d *= 2;
    if (d >= maxMs) {
      d = maxMs;
      break;
    }
  }
  const elapsed = now - lastFailureTime;
  return d < elapsed ? 0 : d - elapsed;
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  /** The record after accounting for newly finished pods (not yet stored). */
  next(key: string, newSucceeded: Pod[], newFailed: Pod[]): BackoffRecord {
    const old = this.records.get(key);
    const rec: BackoffRecord = { key, failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0, lastFailureTime: old?.lastFailureTime };
    const failedTimes = newFailed.map(finishedTime).sort((a, b) => a - b);
    if (newSucceeded.length === 0) {
      if (failedTimes.length === 0) return rec;
      rec.failuresAfterLastSuccess += failedTimes.length;
      rec.lastFailureTime = failedTimes[failedTimes.length - 1];
      return rec;
    }
    // A success resets the count to the failures that happened after it.
    const lastSuccess = Math.max(...newSucceeded.map(finishedTime));
    rec.failuresAfterLastSuccess = 0;
    rec.lastFailureTime = undefined;
    for (let i = failedTimes.length - 1; i >= 0 && failedTimes[i]! > lastSuccess; i--) {
      rec.lastFailureTime ??= failedTimes[i];
      rec.failuresAfterLastSuccess++;
    }
    return rec;
  }

  update(rec: BackoffRecord): void {
    this.records.set(rec.key, rec);
  }

  remove(key: string): void {
    this.records.delete(key);
  }
}
