// The disruption controller (upstream pkg/controller/disruption): keeps PodDisruptionBudget
// status — expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed, observedGeneration,
// disruptedPods and the DisruptionAllowed condition (SufficientPods / InsufficientPods /
// SyncFailed) — which the eviction API reads. Percentages and maxUnavailable need the scale of
// the pods' controllers, read through their /scale subresource (a Deployment's for pods of its
// ReplicaSets).
import type { KObject } from '../api/types.js';
import { clone } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';
import type { RestClient } from '../client/rest-client.js';
import { objectKey } from '../client/informer.js';
import { Controller } from '../client/controller.js';
import { selectorFromLabelSelector, type LabelSelectorSpec } from '../api/selectors/label-selector.js';
import type { ResourceInfo } from '../api/resources.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { isPodReady, type Pod } from './util/pod.js';
import { waitForCacheSync } from './util/sync.js';
import { jsonEqual } from './util/equal.js';

/** How long an eviction's entry in disruptedPods is honoured (upstream DeletionTimeout). */
const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

interface PdbCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PdbCondition[];
}

type Pdb = KObject & { spec?: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: LabelSelectorSpec | null }; status?: PdbStatus };

/** intstr.GetScaledValueFromIntOrPercent with roundUp. */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^([0-9]+)%$/.exec(v);
  if (!m) {
    if (/^[0-9]+$/.test(v)) return Number(v);
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  return Math.ceil((Number(m[1]) * total) / 100);
}

async function scaleOf(client: RestClient, resources: ResourceInfo[], ns: string, ref: { apiVersion: string; kind: string; name: string; uid: string }): Promise<{ replicas: number; uid: string } | undefined> {
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const info = resources.find((r) => r.group === group && r.kind === ref.kind);
  if (!info || !(info.subresources ?? []).includes('scale')) return undefined;
  try {
    const scale = await client.get<KObject & { spec?: { replicas?: number } }>(resourcePath(group, info.versions[0]!.version, info.resource, ns, ref.name, 'scale'));
    if (scale.metadata.uid && scale.metadata.uid !== ref.uid) return undefined;
    return { replicas: scale.spec?.replicas ?? 0, uid: ref.uid };
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw e;
  }
}

/** Sum of the scales of the pods' controllers; pods with no controller are reported. */
async function expectedScale(client: RestClient, resources: ResourceInfo[], ns: string, pods: Pod[]): Promise<{ expected: number; unmanaged: string[] }> {
  const counted = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
    if (!ref) {
      unmanaged.push(pod.metadata.name!);
      continue;
    }
    if (counted.has(ref.uid)) continue;
    let scale: { replicas: number; uid: string } | undefined;
    if (ref.kind === 'ReplicaSet' && ref.apiVersion.startsWith('apps/')) {
      // Pods of a Deployment's ReplicaSet count against the Deployment's scale.
      const rs = await client.get<KObject>(resourcePath('apps', 'v1', 'replicasets', ns, ref.name)).catch(() => undefined);
      const dref = rs?.metadata.uid === ref.uid ? rs.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Deployment') : undefined;
      if (dref) scale = await scaleOf(client, resources, ns, dref);
    }
    scale ??= await scaleOf(client, resources, ns, ref);
    if (!scale) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    if (counted.has(scale.uid)) {
      counted.set(ref.uid, 0);
      continue;
    }
    counted.set(scale.uid, scale.replicas);
    if (scale.uid !== ref.uid) counted.set(ref.uid, 0);
  }
  let expected = 0;
  for (const n of counted.values()) expected += n;
  return { expected, unmanaged };
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function withCondition(old: PdbCondition[] | undefined, c: PdbCondition): PdbCondition[] {
  const prev = (old ?? []).find((x) => x.type === c.type);
  const cond = { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now() };
  return [...(old ?? []).filter((x) => x.type !== c.type), cond];
}

export const disruptionController: ControllerDef = {
  name: 'disruption',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client } = ctx;
    const pdbs = ctx.informers.informer<Pdb>('policy', 'v1', 'poddisruptionbudgets');
    const pods = ctx.informers.informer<Pod>('', 'v1', 'pods');
    const controller = new Controller({ name: 'disruption', log: ctx.log, workers: 2 }, async (key) => {
      const pdb = pdbs.getByKey(key);
      if (!pdb) return;
      const ns = pdb.metadata.namespace!;
      // policy/v1: a null selector selects nothing, an empty one everything in the namespace.
      const sel = pdb.spec?.selector == null ? undefined : selectorFromLabelSelector(pdb.spec.selector);
      const selected = sel ? pods.list(ns).filter((p) => sel.matches(p.metadata.labels)) : [];
      const spec = pdb.spec ?? {};
      const gen = pdb.metadata.generation;
      let status: PdbStatus;
      let requeueAfterMs: number | undefined;
      try {
        let expected = 0;
        let desired = 0;
        if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
          const s = await expectedScale(client, ctx.resources, ns, selected);
          if (s.unmanaged.length) unmanagedEvent(pdb, s.unmanaged);
          expected = s.expected;
          desired = Math.max(0, expected - scaledValue(spec.maxUnavailable, expected));
        } else if (typeof spec.minAvailable === 'number') {
          expected = selected.length;
          desired = spec.minAvailable;
        } else if (typeof spec.minAvailable === 'string') {
          const s = await expectedScale(client, ctx.resources, ns, selected);
          if (s.unmanaged.length) unmanagedEvent(pdb, s.unmanaged);
          expected = s.expected;
          desired = scaledValue(spec.minAvailable, expected);
        }
        // Evicted pods stay counted as disrupted until they are gone or the entry expires.
        const disrupted: Record<string, string> = {};
        const t = Date.now();
        for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
          const p = pods.get(ns, name);
          const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
          if (!p || p.metadata.deletionTimestamp || expires <= t) continue;
          disrupted[name] = at;
          requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, expires - t + 100);
        }
        const healthy = selected.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p) && !(p.metadata.name! in disrupted)).length;
        const allowed = expected <= 0 ? 0 : Math.max(0, healthy - desired);
        status = { disruptionsAllowed: allowed, currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected, observedGeneration: gen };
        if (Object.keys(disrupted).length) status.disruptedPods = disrupted;
        status.conditions = withCondition(pdb.status?.conditions, { type: 'DisruptionAllowed', status: allowed > 0 ? 'True' : 'False', reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration: gen });
      } catch (e) {
        const msg = (e as Error).message;
        ctx.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${msg}`);
        // Fail safe: no disruptions while the budget cannot be computed.
        status = { ...(pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }), disruptionsAllowed: 0, observedGeneration: gen };
        status.conditions = withCondition(pdb.status?.conditions, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: msg, observedGeneration: gen });
        requeueAfterMs = 5000;
      }
      if (!jsonEqual(pdb.status ?? {}, status)) {
        const next = clone(pdb);
        next.status = status;
        await client.update(resourcePath('policy', 'v1', 'poddisruptionbudgets', ns, pdb.metadata.name, 'status'), next);
      }
      return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
    });
    const unmanagedEvent = (pdb: Pdb, names: string[]) => {
      ctx.recorder.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? null)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
      ctx.log.debug(`pdb ${objectKey(pdb)}: unmanaged pods ${names.join(', ')}`);
    };
    const forPod = (pod: Pod) => {
      for (const pdb of pdbs.list(pod.metadata.namespace)) {
        const s = pdb.spec?.selector;
        if (s != null && selectorFromLabelSelector(s).matches(pod.metadata.labels)) controller.enqueue(objectKey(pdb));
      }
    };
    pdbs.addHandler({ onAdd: (p) => controller.enqueue(objectKey(p)), onUpdate: (_o, p) => controller.enqueue(objectKey(p)) });
    pods.addHandler({
      onAdd: forPod,
      onUpdate: (old, p) => {
        if (old !== p && isPodReady(old) === isPodReady(p) && old.metadata.deletionTimestamp === p.metadata.deletionTimestamp && jsonEqual(old.metadata.labels, p.metadata.labels)) return;
        forPod(p);
        if (!jsonEqual(old.metadata.labels, p.metadata.labels)) forPod(old);
      },
      onDelete: forPod,
    });
    if (!(await waitForCacheSync([pdbs, pods], signal))) return;
    await controller.run(signal);
  },
};
