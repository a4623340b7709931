// The StatefulSet controller's writes, as upstream's StatefulPodControl: claims are created before
// their pod, pods created/deleted/repaired, claim owner references kept to the retention policy,
// and every outcome recorded on the set with upstream's wording
// (`create Pod db-0 in StatefulSet db successful`, `create Claim data-db-0 Pod db-0 in StatefulSet
// db success`, `delete Pod db-2 in StatefulSet db successful`).
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import type { RestClient } from '../../client/rest-client.js';
import { resourcePath } from '../../client/rest-client.js';
import type { EventRecorder } from '../../client/events.js';
import type { CachedInformer } from '../../client/informer.js';
import type { StatefulPod, StatefulSet } from './identity.js';
import { claimsFor, identityMatches, ordinalOf, repairPod, storageMatches } from './identity.js';
import { claimIsStale, claimOwnerRefs, claimOwnerUpToDate } from './retention.js';

const podPath = (ns: string, name?: string) => resourcePath('', 'v1', 'pods', ns, name);
const pvcPath = (ns: string, name?: string) => resourcePath('', 'v1', 'persistentvolumeclaims', ns, name);
const isNotFound = (e: unknown) => e instanceof StatusError && e.code === 404;
const title = (verb: string) => verb[0]!.toUpperCase() + verb.slice(1);

export class StatefulPodControl {
  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
    private readonly claims: CachedInformer<KObject>,
  ) {}

  private podEvent(verb: string, set: StatefulSet, pod: KObject, err?: unknown): void {
    const obj = { ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' };
    if (!err) this.recorder.event(obj, 'Normal', `Successful${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    else this.recorder.event(obj, 'Warning', `Failed${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
  }

  private claimEvent(verb: string, set: StatefulSet, pod: KObject, claim: KObject, err?: unknown): void {
    const obj = { ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' };
    if (!err) this.recorder.event(obj, 'Normal', `Successful${title(verb)}`, `${verb} Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    else this.recorder.event(obj, 'Warning', `Failed${title(verb)}`, `${verb} Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
  }

  /** createPersistentVolumeClaims: creates the pod's missing claims; a claim being deleted blocks. */
  async createClaims(set: StatefulSet, pod: StatefulPod): Promise<void> {
    const errors: string[] = [];
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const existing = this.claims.get(set.metadata.namespace!, claim.metadata.name!);
      if (existing) {
        if (existing.metadata.deletionTimestamp) errors.push(`pvc ${claim.metadata.name} is being deleted`);
        continue;
      }
      try {
        await this.client.create(pvcPath(set.metadata.namespace!), claim);
        this.claimEvent('create', set, pod, claim);
      } catch (e) {
        // The cache may lag behind our own earlier create.
        if (e instanceof StatusError && e.reason === 'AlreadyExists') continue;
        this.claimEvent('create', set, pod, claim, e);
        errors.push(`failed to create PVC ${claim.metadata.name}: ${(e as Error).message}`);
      }
    }
    if (errors.length) throw new Error(errors.join('; '));
  }

  /** PodClaimIsStale: with whenScaled=Delete, a claim still owned by an old pod of this name blocks. */
  podClaimIsStale(set: StatefulSet, pod: StatefulPod): boolean {
    if ((set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled ?? 'Retain') === 'Retain') return false;
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const existing = this.claims.get(set.metadata.namespace!, claim.metadata.name!);
      if (existing && claimIsStale(existing, pod)) return true;
    }
    return false;
  }

  async createPod(set: StatefulSet, pod: StatefulPod): Promise<void> {
    try {
      await this.createClaims(set, pod);
    } catch (e) {
      this.podEvent('create', set, pod, e);
      throw e;
    }
    let created: StatefulPod;
    try {
      created = await this.client.create<StatefulPod>(podPath(set.metadata.namespace!), pod);
    } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) this.podEvent('create', set, pod, e);
      throw e;
    }
    try {
      await this.updateClaimsForRetention(set, created);
    } catch (e) {
      this.podEvent('update', set, created, e);
      throw e;
    }
    this.podEvent('create', set, created);
  }

  async deletePod(set: StatefulSet, pod: StatefulPod): Promise<void> {
    try {
      await this.client.delete(podPath(pod.metadata.namespace!, pod.metadata.name));
      this.podEvent('delete', set, pod);
    } catch (e) {
      if (isNotFound(e)) return;
      this.podEvent('delete', set, pod, e);
      throw e;
    }
  }

  /** ClaimsMatchRetentionPolicy over the claims that exist (read fresh: our own writes count). */
  async claimsMatchRetention(set: StatefulSet, pod: StatefulPod): Promise<boolean> {
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const existing = this.claims.get(set.metadata.namespace!, claim.metadata.name!);
      if (existing && !claimOwnerUpToDate(existing, set, pod)) return false;
    }
    return true;
  }

  /** UpdatePodClaimForRetentionPolicy: rewrites the owner references of the pod's claims. */
  async updateClaimsForRetention(set: StatefulSet, pod: StatefulPod): Promise<void> {
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      let existing: KObject;
      try {
        existing = await this.client.get<KObject>(pvcPath(set.metadata.namespace!, claim.metadata.name));
      } catch (e) {
        if (isNotFound(e)) continue;
        throw new Error(`Could not retrieve claim ${claim.metadata.name} for ${pod.metadata.name} when checking PVC deletion policy`, { cause: e });
      }
      if (claimOwnerUpToDate(existing, set, pod)) continue;
      existing.metadata.ownerReferences = claimOwnerRefs(existing, set, pod);
      try {
        await this.client.update(pvcPath(set.metadata.namespace!, claim.metadata.name), existing);
      } catch (e) {
        throw new Error(`could not update claim ${claim.metadata.name} for delete policy ownerRefs: ${(e as Error).message}`, { cause: e });
      }
    }
  }

  /** UpdateStatefulPod: repairs identity, storage and claim references of an existing pod. */
  async updatePod(set: StatefulSet, cached: StatefulPod): Promise<void> {
    let pod = structuredClone(cached);
    for (let attempt = 0; ; attempt++) {
      let consistent = true;
      try {
        if (!identityMatches(set, pod) || !storageMatches(set, pod)) {
          if (!storageMatches(set, pod)) await this.createClaims(set, pod);
          repairPod(set, pod);
          consistent = false;
        }
        if (!(await this.claimsMatchRetention(set, pod))) {
          await this.updateClaimsForRetention(set, pod);
          consistent = false;
        }
        if (consistent) return;
        await this.client.update(podPath(pod.metadata.namespace!, pod.metadata.name), pod);
        this.podEvent('update', set, pod);
        return;
      } catch (e) {
        if (e instanceof StatusError && e.code === 409 && attempt < 4) {
          pod = await this.client.get<StatefulPod>(podPath(pod.metadata.namespace!, pod.metadata.name));
          continue;
        }
        this.podEvent('update', set, pod, e);
        throw e;
      }
    }
  }
}
