// The pod status a kubelet would report for a simulated pod: Running with every container
// started and ready, or finished (Succeeded/Failed) once its simulated run time is over.
// Pure functions over the pod spec; field names, reasons and condition types as upstream's kubelet.
import type { KObject } from '../api/types.js';

export const RUN_SECONDS_ANNOTATION = 'simulation.kts.io/run-seconds';
export const EXIT_CODE_ANNOTATION = 'simulation.kts.io/exit-code';

interface Container {
  name: string;
  image?: string;
  restartPolicy?: string;
}

export interface PodSpec {
  nodeName?: string;
  hostNetwork?: boolean;
  restartPolicy?: string;
  containers?: Container[];
  initContainers?: Container[];
  readinessGates?: { conditionType: string }[];
}

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  startTime?: string;
  podIP?: string;
  containerStatuses?: { state?: { running?: unknown; terminated?: unknown } }[];
  [key: string]: unknown;
}

export function specOf(pod: KObject): PodSpec {
  return (pod.spec ?? {}) as PodSpec;
}

export function statusOf(pod: KObject): PodStatus {
  return (pod.status ?? {}) as PodStatus;
}

/** Seconds the pod runs before it ends (restartPolicy Never/OnFailure only); 0 = forever. */
export function runSeconds(pod: KObject): number {
  if ((specOf(pod).restartPolicy ?? 'Always') === 'Always') return 0;
  const v = Number(pod.metadata.annotations?.[RUN_SECONDS_ANNOTATION] ?? '0');
  return Number.isFinite(v) && v > 0 ? v : 0;
}

export function exitCode(pod: KObject): number {
  const v = Number(pod.metadata.annotations?.[EXIT_CODE_ANNOTATION] ?? '0');
  return Number.isInteger(v) ? v : 1;
}

function containerId(pod: KObject, name: string): string {
  return `simulated://${pod.metadata.uid ?? ''}-${name}`;
}

function imageFields(c: Container): { image: string; imageID: string } {
  const image = c.image ?? '';
  return { image, imageID: `simulated://${image}` };
}

/** Conditions, keeping lastTransitionTime of those whose status does not change. */
function mergeConditions(old: PodCondition[] | undefined, next: PodCondition[], now: string): PodCondition[] {
  const out: PodCondition[] = [];
  const byType = new Map((old ?? []).map((c) => [c.type, c]));
  for (const c of next) {
    const prev = byType.get(c.type);
    byType.delete(c.type);
    out.push({ ...c, lastProbeTime: null, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now });
  }
  // Conditions others own (readiness gates, DisruptionTarget, …) stay as they are.
  for (const c of byType.values()) out.push(c);
  return out;
}

/** Ready, unless a readiness gate's condition is not True (upstream's message wording). */
export function readyCondition(pod: KObject): PodCondition {
  const conds = statusOf(pod).conditions ?? [];
  for (const g of specOf(pod).readinessGates ?? []) {
    const c = conds.find((x) => x.type === g.conditionType);
    if (!c) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: `corresponding condition of pod readiness gate "${g.conditionType}" does not exist.` };
    if (c.status !== 'True') return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: `the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}` };
  }
  return { type: 'Ready', status: 'True' };
}

/** The status of a pod that has just started (or is running) on `hostIP` with `podIP`. */
export function runningStatus(pod: KObject, hostIP: string, podIP: string, now: string): PodStatus {
  const spec = specOf(pod);
  const old = statusOf(pod);
  const started = old.startTime ?? now;
  const conditions = mergeConditions(old.conditions, [
    { type: 'PodReadyToStartContainers', status: 'True' },
    { type: 'Initialized', status: 'True' },
    readyCondition(pod),
    { type: 'ContainersReady', status: 'True' },
    { type: 'PodScheduled', status: 'True' },
  ], now);
  const initContainerStatuses = (spec.initContainers ?? []).map((c) => {
    const sidecar = c.restartPolicy === 'Always';
    return {
      name: c.name,
      ...imageFields(c),
      containerID: containerId(pod, c.name),
      ready: true,
      started: sidecar,
      restartCount: 0,
      state: sidecar ? { running: { startedAt: started } } : { terminated: { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: started, containerID: containerId(pod, c.name) } },
    };
  });
  const containerStatuses = (spec.containers ?? []).map((c) => ({
    name: c.name,
    ...imageFields(c),
    containerID: containerId(pod, c.name),
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: started } },
  }));
  const status: PodStatus = {
    ...old,
    phase: 'Running',
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: started,
    containerStatuses,
  };
  if (initContainerStatuses.length) status.initContainerStatuses = initContainerStatuses;
  return status;
}

/** The status of a pod whose containers all exited with `code` (Succeeded when 0). */
export function finishedStatus(pod: KObject, code: number, now: string): PodStatus {
  const old = statusOf(pod);
  const started = old.startTime ?? now;
  const reason = code === 0 ? 'Completed' : 'Error';
  const conditions = mergeConditions(old.conditions, [
    { type: 'PodReadyToStartContainers', status: 'False' },
    { type: 'Initialized', status: 'True' },
    { type: 'Ready', status: 'False', reason: 'PodCompleted' },
    { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' },
    { type: 'PodScheduled', status: 'True' },
  ], now);
  const containerStatuses = (specOf(pod).containers ?? []).map((c) => ({
    name: c.name,
    ...imageFields(c),
    containerID: containerId(pod, c.name),
    ready: false,
    started: false,
    restartCount: 0,
    state: { terminated: { exitCode: code, reason, startedAt: started, finishedAt: now, containerID: containerId(pod, c.name) } },
  }));
  return { ...old, phase: code === 0 ? 'Succeeded' : 'Failed', conditions, containerStatuses };
}

/** True when the status already shows the pod running and ready as we would report it. */
export function isRunning(pod: KObject): boolean {
  const st = statusOf(pod);
  if (st.phase !== 'Running' || !st.podIP || (st.containerStatuses ?? []).length !== (specOf(pod).containers ?? []).length) return false;
  // Someone else (the node lifecycle controller after an outage) may have marked it not ready.
  const ready = (st.conditions ?? []).find((c) => c.type === 'Ready');
  return ready?.status === readyCondition(pod).status;
}

export function isFinished(pod: KObject): boolean {
  const p = statusOf(pod).phase;
  return p === 'Succeeded' || p === 'Failed';
}
