// The scheduling queue as upstream's PriorityQueue: activeQ (higher priority first, then
// earlier arrival), backoffQ (per-pod exponential backoff from 1 s doubling to 10 s), and the
// unschedulable pods, which move back when a cluster event may help them (see
// cluster-events.ts) or after sitting there for a while. A pod being scheduled is "in flight";
// if an event arrives meanwhile, a failure sends it to backoff instead of the unschedulable set.
import { KeyedHeap } from './heap.js';
import { eventMayHelp, type ClusterEvent } from './cluster-events.js';
import type { PodInfo } from './pod-info.js';

export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When it entered the queue (orders equal priorities), or last failed (backoff). */
  timestamp: number;
  attempts: number;
  unschedulablePlugins: Set<string>;
  /** The move cycle when it was popped (events since then mean "retry soon"). */
  popCycle: number;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a pod may stay unschedulable before it is retried anyway. */
  maxUnschedulableMs?: number;
  now?: () => number;
}

export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPodInfo>((q) => q.podInfo.key, (a, b) => (a.podInfo.priority !== b.podInfo.priority ? a.podInfo.priority > b.podInfo.priority : a.timestamp < b.timestamp));
  private readonly backoff = new KeyedHeap<QueuedPodInfo>((q) => q.podInfo.key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private moveCycle = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private backoffTimer: NodeJS.Timeout | undefined;
  private leftoverTimer: NodeJS.Timeout | undefined;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxUnschedulable: number;
  private readonly now: () => number;

  constructor(o: QueueOptions = {}) {
    this.initialBackoff = o.initialBackoffMs ?? 1000;
    this.maxBackoff = o.maxBackoffMs ?? 10_000;
    this.maxUnschedulable = o.maxUnschedulableMs ?? 60_000;
    this.now = o.now ?? Date.now;
  }

  get activeLength(): number {
    return this.active.size;
  }

  get pendingCount(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key) || this.inFlight.has(key);
  }

  backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoff;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoff) return this.maxBackoff;
    }
    return d;
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.now();
  }

  /** A new pending pod. */
  add(podInfo: PodInfo): void {
    if (this.closed || this.has(podInfo.key)) return;
    this.pushActive({ podInfo, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set(), popCycle: 0 });
  }

  /** The pod changed: keep its place, or retry it now if it was waiting as unschedulable. */
  update(podInfo: PodInfo): void {
    const key = podInfo.key;
    const a = this.active.get(key) ?? this.backoff.get(key);
    if (a) {
      a.podInfo = podInfo;
      if (this.active.has(key)) this.active.push(a);
      else this.backoff.push(a);
      return;
    }
    const f = this.inFlight.get(key);
    if (f) {
      f.podInfo = podInfo;
      f.popCycle = -1; // retry soon after this attempt
      return;
    }
    const u = this.unschedulable.get(key);
    if (u) {
      this.unschedulable.delete(key);
      u.podInfo = podInfo;
      if (this.isBackingOff(u)) this.pushBackoff(u);
      else this.pushActive(u);
      return;
    }
    this.add(podInfo);
  }

  /** Replaces the pod object where it waits, without moving it (status-only changes). */
  refresh(podInfo: PodInfo): void {
    const key = podInfo.key;
    for (const q of [this.active.get(key), this.backoff.get(key), this.unschedulable.get(key), this.inFlight.get(key)]) {
      if (q) q.podInfo = podInfo;
    }
  }

  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** Waits for the next pod to schedule; undefined once closed. */
  async pop(): Promise<QueuedPodInfo | undefined> {
    while (!this.closed && this.active.size === 0) await new Promise<void>((r) => this.waiters.push(r));
    if (this.closed) return undefined;
    const q = this.active.pop()!;
    q.attempts++;
    q.popCycle = this.moveCycle;
    this.inFlight.set(q.podInfo.key, q);
    return q;
  }

  /** The attempt finished (bound or requeued). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * After a failed attempt: errors go to backoff; rejections wait as unschedulable unless an
   * event arrived while the pod was in flight.
   */
  requeue(q: QueuedPodInfo, plugins: ReadonlySet<string>, isError: boolean): void {
    if (!this.inFlight.has(q.podInfo.key) || this.closed) return;
    this.inFlight.delete(q.podInfo.key);
    q.timestamp = this.now();
    q.unschedulablePlugins = new Set(plugins);
    if (isError || q.popCycle !== this.moveCycle) this.pushBackoff(q);
    else this.unschedulable.set(q.podInfo.key, q);
  }

  /** A cluster event: moves unschedulable pods it may help back to backoff or active. */
  moveAllToActiveOrBackoff(event: ClusterEvent): void {
    this.moveCycle++;
    const now = this.now();
    for (const [key, q] of this.unschedulable) {
      if (event === 'UnschedulableTimeout' ? now - q.timestamp < this.maxUnschedulable : !eventMayHelp(event, q.unschedulablePlugins)) continue;
      this.unschedulable.delete(key);
      if (this.isBackingOff(q)) this.pushBackoff(q);
      else this.pushActive(q);
    }
  }

  private pushActive(q: QueuedPodInfo): void {
    this.active.push(q);
    this.waiters.shift()?.();
  }

  private pushBackoff(q: QueuedPodInfo): void {
    if (!this.isBackingOff(q)) return this.pushActive(q);
    this.backoff.push(q);
    this.armBackoff();
  }

  private armBackoff(): void {
    const head = this.backoff.peek();
    if (this.closed || !head) return;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = setTimeout(() => this.flushBackoff(), Math.max(0, this.backoffExpiry(head) - this.now()) + 1);
  }

  private flushBackoff(): void {
    this.backoffTimer = undefined;
    for (let h = this.backoff.peek(); h && !this.isBackingOff(h); h = this.backoff.peek()) this.pushActive(this.backoff.pop()!);
    this.armBackoff();
  }

  /** Starts the periodic retry of pods left unschedulable (until close). */
  start(): void {
    if (this.leftoverTimer || this.closed) return;
    this.leftoverTimer = setInterval(() => this.moveAllToActiveOrBackoff('UnschedulableTimeout'), Math.max(1000, this.maxUnschedulable / 2));
  }

  close(): void {
    this.closed = true;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    if (this.leftoverTimer) clearInterval(this.leftoverTimer);
    for (const w of this.waiters.splice(0)) w();
  }
}
