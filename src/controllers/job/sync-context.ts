// What one Job sync works with (upstream syncJobCtx) and the services it calls: the API client,
// event recorder, clock, backoff store and expectations. Shared by job-sync.ts (decide what to do)
// and job-tracking.ts (count finished pods through their finalizers and write status).
import type { RestClient } from '../../client/rest-client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Logger } from '../../util/log.js';
import type { BackoffRecord, BackoffStore } from './backoff.js';
import type { Expectations } from './expectations.js';
import type { Intervals } from './indexes.js';
import type { Job, JobCondition, Pod } from './types.js';

export interface JobSyncDeps {
  client: RestClient;
  recorder: EventRecorder;
  log: Logger;
  now: () => number;
  backoff: BackoffStore;
  expectations: Expectations;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface SyncCtx {
  key: string;
  /** A private copy; its status is rewritten during the sync. */
  job: Job;
  pods: Pod[];
  activePods: Pod[];
  ready: number;
  terminating: number;
  uncounted: { succeeded: Set<string>; failed: Set<string> };
  /** Pods whose finalizer removal is not in the cache yet: already counted. */
  expectedRmFinalizers: Set<string>;
  succeeded: number;
  failed: number;
  /** The terminal (or interim FailureTarget/SuccessCriteriaMet) condition the Job is heading to. */
  finishedCondition?: JobCondition;
  prevSucceededIndexes: Intervals;
  succeededIndexes: Intervals;
  failedIndexes?: Intervals;
  /** backoffLimitPerIndex: the failed pod per index whose finalizer waits for a replacement. */
  podsWithDelayedDeletionPerIndex: Map<number, Pod>;
  newBackoffRecord: BackoffRecord;
  /** Delays after which the Job must be looked at again. */
  requeue: number[];
}
