// The shared half of configMap, secret and their projections: fetch the object and turn its keys
// (all of them, or the listed items with their own paths and modes) into an atomic-writer payload.
import { StatusError } from '../../api/errors.js';
import type { RestClient } from '../../client/rest-client.js';
import type { KObject } from '../../api/types.js';
import type { Payload } from './atomic-writer.js';

export const DEFAULT_MODE = 0o644;

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export type DataKind = 'configmap' | 'secret';

/** GETs a ConfigMap or Secret; undefined when absent. Errors carry the kubelet's wording. */
export async function fetchData(client: RestClient, kind: DataKind, namespace: string, name: string): Promise<Map<string, Buffer> | undefined> {
  const resource = kind === 'configmap' ? 'configmaps' : 'secrets';
  let obj: KObject;
  try {
    obj = await client.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}/${encodeURIComponent(name)}`);
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw new Error(`couldn't get ${kind} ${namespace}/${name}: ${(e as Error).message}`, { cause: e });
  }
  const out = new Map<string, Buffer>();
  const data = (obj.data ?? {}) as Record<string, string>;
  const binary = (obj.binaryData ?? {}) as Record<string, string>;
  // Secret data is base64 on the wire; ConfigMap data is text and binaryData base64.
  for (const [k, v] of Object.entries(data)) out.set(k, kind === 'secret' ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(binary)) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

export function notFoundMessage(kind: DataKind, name: string): string {
  return `${kind} "${name}" not found`;
}

/**
 * Adds `data` to `payload`: every key under its own name with `defaultMode`, or only `items`
 * (key → path, per-item mode). A listed key that is missing fails unless the source is optional.
 */
export function project(payload: Payload, kind: DataKind, data: Map<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): void {
  if (!items || items.length === 0) {
    for (const [k, v] of data) payload.set(k, { data: v, mode: defaultMode });
    return;
  }
  for (const item of items) {
    const v = data.get(item.key);
    if (v === undefined) {
      if (optional) continue;
      throw new Error(kind === 'configmap' ? `configmap references non-existent config key: ${item.key}` : `references non-existent secret key: ${item.key}`);
    }
    payload.set(item.path, { data: v, mode: item.mode ?? defaultMode });
  }
}
