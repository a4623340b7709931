// VolumeBinding (a subset): a pod's PersistentVolumeClaims must exist and not be terminating;
// unbound claims whose StorageClass binds Immediately make the pod unschedulable until the PV
// controller binds them; WaitForFirstConsumer claims are allowed anywhere and, at PreBind, get
// the volume.kubernetes.io/selected-node annotation (the provisioner's cue), and binding waits
// until they are bound. Bound PVs' nodeAffinity must match the node.
import type { CycleState, FilterPlugin, Handle, PreBindPlugin, PreFilterPlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { nodeSelectorMatches } from '../match.js';
import { resourcePath } from '../../client/rest-client.js';
import { SKIP, SUCCESS, errorStatus, unresolvable, type Status } from '../status.js';
import type { NodeSelector } from '../types.js';

export const VOLUME_BINDING = 'VolumeBinding';
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
const STATE_KEY = 'PreFilterVolumeBinding';
const BIND_TIMEOUT_MS = 600_000;

interface State {
  /** Node affinity of each bound PV (undefined: none). */
  boundAffinity: (NodeSelector | undefined)[];
  missingPv: boolean;
  delayed: string[];
}

export function claimNames(pod: PodInfo): string[] {
  const out: string[] = [];
  for (const v of pod.pod.spec.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.pod.metadata.name}-${v.name}`);
  }
  return out;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, PreBindPlugin {
  readonly name = VOLUME_BINDING;
  constructor(private readonly h: Handle) {}

  preFilter(state: CycleState, pod: PodInfo): { status: Status } {
    const claims = claimNames(pod);
    if (claims.length === 0) return { status: SKIP };
    const s: State = { boundAffinity: [], missingPv: false, delayed: [] };
    let unboundImmediate = false;
    for (const name of claims) {
      const pvc = this.h.listers.pvc(pod.namespace, name);
      if (!pvc) return { status: unresolvable(`persistentvolumeclaim "${name}" not found`) };
      if (pvc.metadata.deletionTimestamp) return { status: unresolvable(`persistentvolumeclaim "${name}" is being deleted`) };
      const volumeName = pvc.spec?.volumeName;
      if (volumeName) {
        const pv = this.h.listers.pv(volumeName);
        if (!pv) s.missingPv = true;
        else s.boundAffinity.push(pv.spec?.nodeAffinity?.required);
        continue;
      }
      const cls = pvc.spec?.storageClassName ? this.h.listers.storageClass(pvc.spec.storageClassName) : undefined;
      if (cls?.volumeBindingMode === 'WaitForFirstConsumer') s.delayed.push(name);
      else unboundImmediate = true;
    }
    if (unboundImmediate) return { status: unresolvable(ERR_REASON_UNBOUND_IMMEDIATE) };
    state.write(STATE_KEY, s);
    return { status: SUCCESS };
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<State>(STATE_KEY);
    if (!s) return SUCCESS;
    if (s.missingPv) return unresolvable(ERR_REASON_PV_NOT_EXIST);
    for (const aff of s.boundAffinity) if (aff && !nodeSelectorMatches(aff, node.node)) return unresolvable(ERR_REASON_NODE_CONFLICT);
    return SUCCESS;
  }

  async preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    const s = state.read<State>(STATE_KEY);
    if (!s || s.delayed.length === 0 || !this.h.client) return SUCCESS;
    for (const name of s.delayed) {
      const pvc = this.h.listers.pvc(pod.namespace, name);
      if (pvc?.spec?.volumeName) continue;
      try {
        await this.h.client.patch(resourcePath('', 'v1', 'persistentvolumeclaims', pod.namespace, name), { metadata: { annotations: { 'volume.kubernetes.io/selected-node': nodeName } } });
      } catch (e) {
        return errorStatus(`binding volumes: ${(e as Error).message}`);
      }
    }
    const deadline = Date.now() + BIND_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (s.delayed.every((n) => this.h.listers.pvc(pod.namespace, n)?.spec?.volumeName)) return SUCCESS;
      await new Promise((r) => setTimeout(r, 200));
    }
    return errorStatus('binding volumes: context deadline exceeded');
  }
}
