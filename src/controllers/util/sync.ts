// Waiting for informers to fill their caches, bounded by the controller's AbortSignal (a
// controller stopped before its caches synced must not hang).
import type { CachedInformer } from '../../client/informer.js';
import type { KObject } from '../../api/types.js';

/** Resolves true once every informer has synced, false if `signal` aborts first. */
export function waitForCacheSync(informers: CachedInformer<KObject>[], signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void Promise.all(informers.map((i) => i.waitForSync())).then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}
