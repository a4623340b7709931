// DefaultPreemption (PostFilter): when a pod fits nowhere, find a node where evicting
// lower-priority pods makes it fit (dry runs on copies of the node and the cycle state), pick
// the best candidate as upstream, nominate the preemptor there, and evict the victims through
// the API (DisruptionTarget condition, DELETE, a `Preempted` event). Failing that, the message
// is upstream's "preemption: 0/N nodes are available: ..." (appended to FailedScheduling).
import type { CycleState, Handle, PostFilterPlugin, PostFilterResult } from '../framework.js';
import type { PodInfo } from '../pod-info.js';
import { fitErrorMessage } from '../fit-error.js';
import { resourcePath } from '../../client/rest-client.js';
import { StatusError } from '../../api/errors.js';
import { SUCCESS, errorStatus, unresolvable, unschedulable, type Status } from '../status.js';
import { pickOneNodeForPreemption, selectVictimsOnNode, type Victims } from './preemption-victims.js';

export const DEFAULT_PREEMPTION = 'DefaultPreemption';
export const ERR_NOT_HELPFUL = 'Preemption is not helpful for scheduling';

function terminatingByPreemption(p: PodInfo): boolean {
  return !!p.pod.metadata.deletionTimestamp && (p.pod.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.reason === 'PreemptionByScheduler');
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = DEFAULT_PREEMPTION;
  constructor(private readonly h: Handle) {}

  /** PodEligibleToPreemptOthers; the message when not eligible. */
  private ineligible(pod: PodInfo, statuses: Map<string, Status>): string | undefined {
    if (pod.pod.spec.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nom = pod.pod.status?.nominatedNodeName;
    if (nom) {
      if (statuses.get(nom)?.code === 'UnschedulableAndUnresolvable') return undefined;
      const node = this.h.cache.nodeInfo(nom);
      if (node?.pods.some((p) => p.priority < pod.priority && terminatingByPreemption(p))) return 'not eligible due to a terminating pod on the nominated node.';
    }
    return undefined;
  }

  postFilter(state: CycleState, pod: PodInfo, statuses: Map<string, Status>): PostFilterResult {
    const fw = this.h.framework!;
    const msg = this.ineligible(pod, statuses);
    if (msg) return { status: unschedulable(`preemption: ${msg}`) };
    const all = this.h.cache.nodeList;
    if (all.length === 0) return { status: errorStatus('no nodes available') };
    const potential = all.filter((n) => statuses.get(n.name)?.code === 'Unschedulable');
    const tried = new Map<string, Status>();
    const candidates: Victims[] = [];
    if (potential.length > 0) {
      const pdbs = this.h.listers.pdbs('');
      const want = Math.min(potential.length, Math.max(100, Math.floor((potential.length * 10) / 100)));
      const offset = Math.floor(Math.random() * potential.length);
      let nonViolating = 0;
      for (let i = 0; i < potential.length; i++) {
        const node = potential[(offset + i) % potential.length]!;
        const r = selectVictimsOnNode(fw, state.clone(), pod, node.clone(), pdbs);
        if (r.victims && r.victims.length) {
          candidates.push({ node: node.name, pods: r.victims, numPDBViolations: r.numPDBViolations });
          if (r.numPDBViolations === 0) nonViolating++;
          if (nonViolating > 0 && candidates.length >= want) break;
        } else tried.set(node.name, r.status.code === 'Success' ? errorStatus(`expected at least one victim pod on node "${node.name}"`) : r.status);
      }
    }
    if (candidates.length === 0) {
      const m = fitErrorMessage(all.length, { nodeStatuses: tried, absentStatus: unresolvable(ERR_NOT_HELPFUL) });
      return { status: unschedulable(`preemption: ${m}`), nominatedNodeName: '' };
    }
    const best = pickOneNodeForPreemption(candidates)!;
    void this.evict(pod, best);
    return { status: SUCCESS, nominatedNodeName: best.node };
  }

  /** The API side of preemption, asynchronously (the preemptor waits in the queue meanwhile). */
  private async evict(preemptor: PodInfo, c: Victims): Promise<void> {
    const client = this.h.client;
    if (!client) return;
    const schedulerName = preemptor.pod.spec.schedulerName ?? this.h.schedulerName;
    await Promise.all(
      c.pods.map(async (v) => {
        if (v.pod.metadata.deletionTimestamp) return;
        const path = resourcePath('', 'v1', 'pods', v.namespace, v.pod.metadata.name);
        try {
          const cond = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: `${schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
          await client.patch(`${path}/status`, { status: { conditions: [cond] } }, 'strategic');
          await client.delete(path);
          this.h.recorder?.event({ ...v.pod, apiVersion: 'v1', kind: 'Pod' }, 'Normal', 'Preempted', `Preempted by pod ${preemptor.pod.metadata.uid} on node ${c.node}`);
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) this.h.log.warn(`preempting ${v.key}: ${(e as Error).message}`);
        }
      }),
    );
    // Lower-priority pods nominated to this node may no longer fit there: clear their nomination.
    for (const n of this.h.nominator.nominatedPods(c.node)) {
      if (n.priority >= preemptor.priority || n.key === preemptor.key) continue;
      try {
        await client.patch(resourcePath('', 'v1', 'pods', n.namespace, n.pod.metadata.name, 'status'), { status: { nominatedNodeName: null } }, 'merge');
      } catch {
        // Not critical (as upstream).
      }
    }
  }
}
