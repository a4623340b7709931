// Rewrites every value under a prefix that is not yet written with the current write key (after
// a key rotation, or when encryption was turned on over existing data). Each rewrite is a guarded
// update of the same plain value, so a concurrent write simply wins and is already current.
import { ConflictError, KeyNotFoundError } from '../backend.js';
import type { EncryptingBackend } from './encrypting-backend.js';

export interface ReencryptResult {
  /** Values rewritten with the current key. */
  rewritten: number;
  /** Values that were already current. */
  current: number;
}

export async function reencryptPrefix(backend: EncryptingBackend, prefix: string): Promise<ReencryptResult> {
  const result: ReencryptResult = { rewritten: 0, current: 0 };
  let startKey: string | undefined;
  for (;;) {
    const page = await backend.raw.list(prefix, { limit: 500, startKey });
    for (const raw of page.kvs) {
      if (backend.current.isCurrent(raw.value)) {
        result.current++;
        continue;
      }
      if (await rewrite(backend, raw.key)) result.rewritten++;
      else result.current++;
    }
    if (!page.more || page.kvs.length === 0) break;
    startKey = page.kvs[page.kvs.length - 1]!.key + '\0';
  }
  return result;
}

/** Rewrites one key; false when someone else's write (or delete) made it unnecessary. */
async function rewrite(backend: EncryptingBackend, key: string): Promise<boolean> {
  for (;;) {
    const raw = (await backend.raw.get(key)).kv;
    if (!raw || backend.current.isCurrent(raw.value)) return false;
    const plain = backend.current.decrypt(key, raw.value);
    try {
      await backend.update(key, plain, raw.modRevision);
      return true;
    } catch (e) {
      if (e instanceof KeyNotFoundError) return false;
      if (!(e instanceof ConflictError)) throw e;
    }
  }
}

/** How many values under `prefix` each key (or "identity" for plain values) wrote. */
export async function countByKey(backend: EncryptingBackend, prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let startKey: string | undefined;
  for (;;) {
    const page = await backend.raw.list(prefix, { limit: 500, startKey });
    for (const kv of page.kvs) {
      const found = backend.current.keyOf(kv.value);
      const k = found ? `${found.mode}:${found.key.name}` : kv.value.startsWith('k8s:enc:') ? 'unknown' : 'identity';
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    if (!page.more || page.kvs.length === 0) break;
    startKey = page.kvs[page.kvs.length - 1]!.key + '\0';
  }
  return counts;
}
