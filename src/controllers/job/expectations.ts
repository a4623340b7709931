// What the Job controller has asked the API for but may not see in its informer cache yet
// (upstream ControllerExpectations and finalizer expectations): pods it created, pods it deleted,
// and pods whose tracking finalizer it removed. Until the cache catches up, a sync does not create
// or delete more pods, and does not count a pod twice. Entries expire after 5 minutes, as upstream,
// so a lost watch event cannot wedge a Job.
import { hasTrackingFinalizer } from './job-pods.js';
import type { Pod } from './types.js';

const TTL_MS = 5 * 60_000;

interface Pending {
  created: Set<string>;
  deleted: Set<string>;
  at: number;
}

export class Expectations {
  private readonly pods = new Map<string, Pending>();
  private readonly finalizers = new Map<string, Set<string>>();

  private entry(key: string): Pending {
    let e = this.pods.get(key);
    if (!e) {
      e = { created: new Set(), deleted: new Set(), at: Date.now() };
      this.pods.set(key, e);
    }
    e.at = Date.now();
    return e;
  }

  expectCreated(key: string, podName: string): void {
    this.entry(key).created.add(podName);
  }

  expectDeleted(key: string, podUid: string): void {
    this.entry(key).deleted.add(podUid);
  }

  /** A pod went away: it no longer blocks, whatever was expected of it. */
  observeGone(key: string, pod: Pod): void {
    const e = this.pods.get(key);
    e?.created.delete(pod.metadata.name!);
    e?.deleted.delete(pod.metadata.uid!);
  }

  /** True when every expected create/delete shows in the cache (`byName`/`byUid` of the Job's pods). */
  satisfied(key: string, pods: Pod[]): boolean {
    const e = this.pods.get(key);
    if (!e) return true;
    const names = new Set(pods.map((p) => p.metadata.name!));
    for (const n of e.created) if (names.has(n)) e.created.delete(n);
    const live = new Map(pods.map((p) => [p.metadata.uid!, p]));
    for (const uid of e.deleted) {
      const p = live.get(uid);
      if (!p || p.metadata.deletionTimestamp) e.deleted.delete(uid);
    }
    if ((e.created.size === 0 && e.deleted.size === 0) || Date.now() - e.at > TTL_MS) {
      this.pods.delete(key);
      return true;
    }
    return false;
  }

  expectFinalizerRemoved(key: string, podUid: string): void {
    let s = this.finalizers.get(key);
    if (!s) this.finalizers.set(key, (s = new Set()));
    s.add(podUid);
  }

  /** Pod UIDs whose finalizer removal the cache does not show yet. */
  pendingFinalizerRemovals(key: string, pods: Pod[]): Set<string> {
    const s = this.finalizers.get(key);
    if (!s) return new Set();
    const live = new Map(pods.map((p) => [p.metadata.uid!, p]));
    for (const uid of s) {
      const p = live.get(uid);
      if (!p || !hasTrackingFinalizer(p)) s.delete(uid);
    }
    if (s.size === 0) this.finalizers.delete(key);
    return new Set(s);
  }

  forget(key: string): void {
    this.pods.delete(key);
    this.finalizers.delete(key);
  }
}
