// Controller expectations as upstream's UIDTrackingControllerExpectations: after a controller
// asks for N creations or the deletion of some pods, it does not act on that owner again until
// its informer has seen those changes (or five minutes pass), so a lagging watch cannot make it
// create or delete twice.

const TTL_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  /** Keys (namespace/name) of pods whose deletion is still to be observed. */
  deleting: Set<string>;
  at: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expectation>();

  /** True when the owner may be synced: nothing pending, or the expectations expired. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return Date.now() - e.at > TTL_MS;
  }

  expectCreations(key: string, n: number): void {
    this.byKey.set(key, { add: n, del: 0, deleting: new Set(), at: Date.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.byKey.set(key, { add: 0, del: podKeys.length, deleting: new Set(podKeys), at: Date.now() });
  }

  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.add--;
  }

  /** Idempotent per pod: a pod seen terminating and then deleted counts once. */
  deletionObserved(key: string, podKey: string): void {
    const e = this.byKey.get(key);
    if (e && e.deleting.delete(podKey)) e.del--;
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}
