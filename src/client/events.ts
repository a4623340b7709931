// Records core/v1 Events about objects, correlated as client-go's EventCorrelator does so that a
// crash loop does not flood the store: an identical event (same object, type, reason, message,
// source) bumps `count` and `lastTimestamp` of the existing Event instead of creating a new one;
// more than 10 different messages for one object and reason within 10 minutes are combined into
// one "(combined from similar events)" Event; and a token bucket per object (burst 25, one more
// every 5 minutes) drops the excess. At most 1,000 events wait to be written (upstream's
// maxQueuedEvents): when the API server is slower than the events come, the rest are dropped
// rather than held in memory with the objects they are about.
import { createHash } from 'node:crypto';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from './rest-client.js';
import { resourcePath } from './rest-client.js';

export interface EventSource {
  component: string;
  host?: string;
}

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

const AGGREGATE_WINDOW_MS = 10 * 60 * 1000;
const AGGREGATE_MAX_DISTINCT = 10;
const BURST = 25;
const REFILL_MS = 5 * 60 * 1000;
const MAX_CACHE = 4096;
/** Events waiting to be written at most; more are dropped (upstream's maxQueuedEvents). */
export const MAX_QUEUED_EVENTS = 1000;

export class EventRecorder {
  private readonly recorded = new Map<string, Recorded>();
  private readonly similar = new Map<string, { messages: Set<string>; since: number }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Writes are serialised per object (8 lanes by object) so concurrent duplicates bump one Event. */
  private readonly lanes: Promise<void>[] = Array.from({ length: 8 }, () => Promise.resolve());
  private queued = 0;
  /** Events dropped because too many were waiting (reported every 1,000). */
  dropped = 0;

  constructor(
    private readonly client: RestClient,
    private readonly source: EventSource,
    private readonly log?: Logger,
  ) {}

  /** Records an event; never throws (events are best effort, as upstream). */
  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.queued >= MAX_QUEUED_EVENTS) {
      if (this.dropped++ % 1000 === 0) this.log?.warn(`${MAX_QUEUED_EVENTS} events are waiting to be written: dropping new ones (${this.dropped} so far; this one: ${reason} ${obj.kind ?? ''} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name ?? ''})`);
      return;
    }
    this.queued++;
    const uid = obj.metadata.uid ?? obj.metadata.name ?? '';
    let h = 0;
    for (let i = 0; i < uid.length; i++) h = (h * 31 + uid.charCodeAt(i)) | 0;
    const lane = Math.abs(h) % this.lanes.length;
    this.lanes[lane] = this.lanes[lane]!.then(() => this.write(obj, type, reason, message))
      .catch((e) => this.log?.debug(`event ${reason}: ${(e as Error).message}`))
      .finally(() => this.queued--);
  }

  /** Resolves when queued events are written (tests). */
  async flush(): Promise<void> {
    await Promise.all(this.lanes);
  }

  private allow(objKey: string): boolean {
    const now = Date.now();
    const b = this.buckets.get(objKey) ?? { tokens: BURST, at: now };
    const refill = Math.floor((now - b.at) / REFILL_MS);
    if (refill > 0) {
      b.tokens = Math.min(BURST, b.tokens + refill);
      b.at = now;
    }
    if (b.tokens <= 0) return false;
    b.tokens--;
    this.buckets.set(objKey, b);
    if (this.buckets.size > MAX_CACHE) this.buckets.delete(this.buckets.keys().next().value!);
    return true;
  }

  private async write(obj: KObject, type: string, reason: string, message: string): Promise<void> {
    const ns = obj.metadata.namespace || 'default';
    const ref = { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion: obj.apiVersion, resourceVersion: obj.metadata.resourceVersion };
    const objKey = `${ref.kind}/${ns}/${ref.name}/${ref.uid}`;
    // Aggregate many different messages for the same reason.
    const simKey = `${objKey}/${type}/${reason}`;
    const now = Date.now();
    let sim = this.similar.get(simKey);
    if (!sim || now - sim.since > AGGREGATE_WINDOW_MS) {
      sim = { messages: new Set(), since: now };
      this.similar.set(simKey, sim);
    }
    sim.messages.add(message);
    const msg = sim.messages.size > AGGREGATE_MAX_DISTINCT ? `(combined from similar events): ${message}` : message;
    const key = sim.messages.size > AGGREGATE_MAX_DISTINCT ? `${simKey}/combined` : `${simKey}/${message}`;
    if (!this.allow(objKey)) return;
    const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const prev = this.recorded.get(key);
    if (prev) {
      try {
        await this.client.patch(resourcePath('', 'v1', 'events', prev.namespace, prev.name), { count: prev.count + 1, lastTimestamp: ts, message: msg }, 'merge');
        prev.count++;
        return;
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
        this.recorded.delete(key);
      }
    }
    const name = `${ref.name}.${createHash('sha1').update(`${key}/${now}/${Math.random()}`).digest('hex').slice(0, 16)}`;
    await this.client.create(resourcePath('', 'v1', 'events', ns), {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: ref,
      reason,
      message: msg,
      type,
      source: this.source,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    });
    this.recorded.set(key, { name, namespace: ns, count: 1, firstTimestamp: ts });
    if (this.recorded.size > MAX_CACHE) this.recorded.delete(this.recorded.keys().next().value!);
  }
}
