// ControllerRevision helpers shared by the DaemonSet and StatefulSet controllers, as upstream's
// pkg/controller/history: a revision stores the patch `{"spec":{"template":{...,"$patch":"replace"}}}`
// that re-applies a pod template; its name is `<owner>-<hash>` where the hash is FNV-1 32
// (`fnv.New32`, not 32a) of the patch's JSON bytes, plus the collision count when there is one,
// printed in decimal and "safe encoded" so no words appear. Go's json.Marshal of a map sorts keys
// and escapes <, >, & — canonicalJson does the same so equal templates give equal bytes.
import type { KObject, OwnerReference } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { RestClient } from '../client/rest-client.js';
import { resourcePath } from '../client/rest-client.js';

export interface ControllerRevision extends KObject {
  data?: unknown;
  revision?: number;
}

/** Label with a StatefulSet revision's hash (history.ControllerRevisionHashLabel). */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';
/** Label on pods (and DaemonSet revisions) naming the revision they were made from. */
export const POD_REVISION_LABEL = 'controller-revision-hash';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** JSON with sorted keys and Go's HTML-safe escaping, as json.Marshal of a decoded map prints it. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** FNV-1 32-bit over bytes, continuing from `h` (Go's hash/fnv New32). */
export function fnv1(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = (Math.imul(h, 0x01000193) ^ b) >>> 0;
  return h >>> 0;
}

/** rand.SafeEncodeString: each character mapped into a vowel-free alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHABET[ch.codePointAt(0)! % SAFE_ALPHABET.length];
  return out;
}

/** history.HashControllerRevision of a revision with this data (and collision count probe). */
export function hashRevisionData(data: unknown, probe?: number): string {
  const enc = new TextEncoder();
  let h = fnv1(enc.encode(canonicalJson(data)));
  if (probe !== undefined) h = fnv1(enc.encode(String(probe)), h);
  return safeEncodeString(String(h));
}

/** history.ControllerRevisionName: the prefix is cut to 223 bytes so names stay under 253. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** The patch a revision stores for a pod template (getPatch of both controllers). */
export function templatePatch(template: unknown): Record<string, unknown> {
  const t = typeof template === 'object' && template !== null ? structuredClone(template as Record<string, unknown>) : {};
  return { spec: { template: { ...t, $patch: 'replace' } } };
}

/** The pod template a revision re-applies (ApplyRevision of a `$patch: replace` template). */
export function templateOfRevision(rev: ControllerRevision): Record<string, unknown> {
  const spec = (rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec;
  const t = structuredClone(spec?.template ?? {});
  delete t.$patch;
  return t;
}

/** True when the revision re-applies exactly this template (bytes.Equal of the patches). */
export function revisionMatchesTemplate(rev: ControllerRevision, template: unknown): boolean {
  return canonicalJson(rev.data) === canonicalJson(templatePatch(template));
}

function timeOf(o: KObject): string {
  return o.metadata.creationTimestamp ?? '';
}

/** SortControllerRevisions: by revision number, then creation time, then name. */
export function sortRevisions<T extends ControllerRevision>(revs: readonly T[]): T[] {
  return [...revs].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || timeOf(a).localeCompare(timeOf(b)) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** One more than the highest revision (1 for an empty history). */
export function nextRevision(revs: readonly ControllerRevision[]): number {
  let max = 0;
  for (const r of revs) max = Math.max(max, r.revision ?? 0);
  return max + 1;
}

export function controllerRefOf(obj: KObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.NewControllerRef for an apps/v1 owner. */
export function appsControllerRef(owner: KObject, kind: string): OwnerReference {
  return { apiVersion: 'apps/v1', kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function revisionPath(namespace: string, name?: string): string {
  return resourcePath('apps', 'v1', 'controllerrevisions', namespace, name);
}

/**
 * history.CreateControllerRevision: creates `rev` under `<owner>-<hash>`; when another revision
 * with different data already holds the name, bumps the collision count and tries the next hash.
 * Returns the stored revision and the (possibly bumped) collision count.
 */
export async function createRevision(client: RestClient, owner: KObject, rev: ControllerRevision, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  const ns = owner.metadata.namespace!;
  for (;;) {
    const hash = hashRevisionData(rev.data, collisionCount);
    const body: ControllerRevision = structuredClone(rev);
    body.metadata.name = revisionName(owner.metadata.name!, hash);
    body.metadata.namespace = ns;
    try {
      const created = await client.create<ControllerRevision>(revisionPath(ns), body);
      return { revision: created, collisionCount };
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409 && e.reason === 'AlreadyExists')) throw e;
      const existing = await client.get<ControllerRevision>(revisionPath(ns, body.metadata.name));
      if (canonicalJson(existing.data) === canonicalJson(body.data)) return { revision: existing, collisionCount };
      collisionCount++;
    }
  }
}

/** Sets a revision's number (rollback to an equal earlier revision re-numbers it, as upstream). */
export async function renumberRevision(client: RestClient, rev: ControllerRevision, revision: number): Promise<ControllerRevision> {
  if (rev.revision === revision) return rev;
  const body = structuredClone(rev);
  body.revision = revision;
  return client.update<ControllerRevision>(revisionPath(rev.metadata.namespace!, rev.metadata.name), body);
}

/** Deletes a revision; a revision already gone is fine. */
export async function deleteRevision(client: RestClient, rev: ControllerRevision): Promise<void> {
  try {
    await client.delete(revisionPath(rev.metadata.namespace!, rev.metadata.name));
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
  }
}
