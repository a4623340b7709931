// Write expectations: a controller that creates objects must not act on a cache that has not
// seen its own writes yet (it would create them again). After each write it records the
// object's name and the resourceVersion the server returned; until the informer cache shows
// that version (or a newer one), or the deletion, the key is "not ready". Expectations expire
// after a while so a missed event cannot wedge a key (upstream's ExpectationsTimeout is 5 min;
// ours is short because a resync is never far away here).
import type { KObject } from '../../api/types.js';

const DEFAULT_TTL_MS = 10_000;

function rvAtLeast(cached: string | undefined, wanted: string): boolean {
  if (cached === undefined) return false;
  if (cached === wanted) return true;
  const a = Number(cached);
  const b = Number(wanted);
  return Number.isFinite(a) && Number.isFinite(b) && a >= b;
}

export class WriteExpectations {
  private readonly pending = new Map<string, { writes: Map<string, string | null>; at: number }>();

  constructor(private readonly ttlMs = DEFAULT_TTL_MS) {}

  /** Records a create/update (with the returned object) or a delete (`null`). */
  expect(key: string, name: string, written: KObject | null): void {
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { writes: new Map(), at: Date.now() }));
    p.writes.set(name, written ? (written.metadata.resourceVersion ?? '') : null);
    p.at = Date.now();
  }

  /** True when the cache reflects every recorded write for `key` (then forgets them). */
  satisfied(key: string, lookup: (name: string) => KObject | undefined): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    if (Date.now() - p.at > this.ttlMs) {
      this.pending.delete(key);
      return true;
    }
    for (const [name, rv] of p.writes) {
      const cached = lookup(name);
      if (rv === null ? cached !== undefined : !rvAtLeast(cached?.metadata.resourceVersion, rv)) return false;
    }
    this.pending.delete(key);
    return true;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
