// The status a kubelet reports for a pod, computed from the pod spec, what the runtime holds and
// what the sync loop learned (waiting reasons, probe results). Phase, conditions and container
// statuses follow upstream's kubelet (getPhase, generateContainersReadyCondition, …).
import type { KObject } from '../api/types.js';
import type { ContainerInfo, PodRuntime } from './runtime-cache.js';

export interface Waiting { reason: string; message?: string }

export interface StatusInput {
  pod: KObject;
  runtime: PodRuntime | undefined;
  hostIP: string;
  podIPs: string[];
  /** Why a container is not running, as decided by the last sync (by container name). */
  waiting: Map<string, Waiting>;
  /** Readiness of a running container by container ID (no readiness probe → started). */
  ready(c: ContainerInfo): boolean;
  /** Startup probe passed (no startup probe → true). */
  started(c: ContainerInfo): boolean;
  /** Termination messages by container ID. */
  terminationMessage(c: ContainerInfo): string | undefined;
  /** Pod-level message/reason (e.g. eviction, DeadlineExceeded), when the kubelet ended the pod. */
  podFailure?: { reason: string; message: string };
}

interface SpecContainer { name: string; image?: string; restartPolicy?: string }
interface Condition { type: string; status: string; reason?: string; message?: string; lastProbeTime?: null; lastTransitionTime?: string }
type Json = Record<string, unknown>;

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function containerId(c: ContainerInfo): string {
  return `containerd://${c.id}`;
}

function terminated(c: ContainerInfo, message?: string): Json {
  const reason = c.reason || (c.exitCode === 0 ? 'Completed' : 'Error');
  return {
    terminated: {
      exitCode: c.exitCode,
      reason,
      ...(message || c.message ? { message: message || c.message } : {}),
      startedAt: c.startedAt ? rfc3339(c.startedAt) : null,
      finishedAt: c.finishedAt ? rfc3339(c.finishedAt) : null,
      containerID: containerId(c),
    },
  };
}

function containerStatus(spec: SpecContainer, mine: ContainerInfo[], input: StatusInput, pendingReason: string): Json {
  const [cur, prev] = mine;
  const waiting = input.waiting.get(spec.name);
  const base: Json = { name: spec.name, image: spec.image ?? '', imageID: cur?.imageRef ?? '', restartCount: cur ? cur.attempt : 0 };
  if (cur) base.containerID = containerId(cur);
  if (!cur) return { ...base, state: { waiting: { reason: waiting?.reason ?? pendingReason, ...(waiting?.message ? { message: waiting.message } : {}) } }, lastState: {}, ready: false, started: false };
  const last = prev && prev.state === 'CONTAINER_EXITED' ? terminated(prev, input.terminationMessage(prev)) : {};
  switch (cur.state) {
    case 'CONTAINER_RUNNING':
      return { ...base, state: { running: { startedAt: rfc3339(cur.startedAt || cur.createdAt) } }, lastState: last, ready: input.ready(cur), started: input.started(cur) };
    case 'CONTAINER_EXITED':
      if (waiting) return { ...base, state: { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } }, lastState: terminated(cur, input.terminationMessage(cur)), ready: false, started: false };
      return { ...base, state: terminated(cur, input.terminationMessage(cur)), lastState: last, ready: false, started: false };
    default:
      return { ...base, state: { waiting: { reason: waiting?.reason ?? 'ContainerCreating', ...(waiting?.message ? { message: waiting.message } : {}) } }, lastState: last, ready: false, started: false };
  }
}

function byName(runtime: PodRuntime | undefined): Map<string, ContainerInfo[]> {
  const m = new Map<string, ContainerInfo[]>();
  for (const c of runtime?.containers ?? []) {
    const l = m.get(c.name) ?? [];
    l.push(c);
    m.set(c.name, l);
  }
  for (const l of m.values()) l.sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
  return m;
}

const isTerminated = (s: Json) => !!(s.state as Json).terminated;
const exitCodeOf = (s: Json) => ((s.state as Json).terminated as { exitCode: number } | undefined)?.exitCode;
const hasLastTermination = (s: Json) => !!(s.lastState as Json | undefined)?.terminated;

/** upstream getPhase. */
export function podPhase(restartPolicy: string, init: Json[], regular: Json[]): string {
  for (const s of init) {
    if (isTerminated(s) && exitCodeOf(s) === 0) continue;
    if (restartPolicy === 'Never' && isTerminated(s)) return 'Failed';
    return 'Pending';
  }
  let running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const s of regular) {
    const st = s.state as Json;
    if (st.running) running++;
    else if (st.terminated) {
      stopped++;
      if (exitCodeOf(s) === 0) succeeded++;
    } else if (hasLastTermination(s)) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

export function computePodStatus(input: StatusInput): Json {
  const { pod } = input;
  const spec = (pod.spec ?? {}) as { containers?: SpecContainer[]; initContainers?: SpecContainer[]; restartPolicy?: string; readinessGates?: { conditionType: string }[] };
  const old = (pod.status ?? {}) as { conditions?: Condition[]; startTime?: string; qosClass?: string; phase?: string };
  const names = byName(input.runtime);
  const initStatuses = (spec.initContainers ?? []).map((c) => containerStatus(c, names.get(c.name) ?? [], input, 'PodInitializing'));
  const initDone = initStatuses.every((s) => isTerminated(s) && exitCodeOf(s) === 0);
  const statuses = (spec.containers ?? []).map((c) => containerStatus(c, names.get(c.name) ?? [], input, initDone ? 'ContainerCreating' : 'PodInitializing'));
  let phase = input.podFailure ? 'Failed' : podPhase(spec.restartPolicy ?? 'Always', initStatuses, statuses);
  // A terminal phase never goes back (upstream: the kubelet refuses such transitions).
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;

  const now = rfc3339(Date.now());
  const prev = new Map((old.conditions ?? []).map((c) => [c.type, c]));
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const status = ok ? 'True' : 'False';
    const p = prev.get(type);
    return { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastProbeTime: null, lastTransitionTime: p && p.status === status ? p.lastTransitionTime : now };
  };
  const sandboxReady = !!input.runtime?.sandboxes.some((s) => s.state === 'SANDBOX_READY');
  const incompleteInit = (spec.initContainers ?? []).filter((_, i) => !(isTerminated(initStatuses[i]!) && exitCodeOf(initStatuses[i]!) === 0)).map((c) => c.name);
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name as string);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const gates = (spec.readinessGates ?? []).filter((g) => prev.get(g.conditionType)?.status !== 'True').map((g) => g.conditionType);
  const conditions: Condition[] = [
    cond('PodReadyToStartContainers', sandboxReady),
    terminal && incompleteInit.length === 0
      ? cond('Initialized', true, 'PodCompleted')
      : cond('Initialized', incompleteInit.length === 0, incompleteInit.length ? 'ContainersNotInitialized' : undefined, incompleteInit.length ? `containers with incomplete status: [${incompleteInit.join(' ')}]` : undefined),
    terminal ? cond('Ready', false, 'PodCompleted') : cond('Ready', unready.length === 0 && gates.length === 0, unready.length ? 'ContainersNotReady' : gates.length ? 'ReadinessGatesNotReady' : undefined, unready.length ? `containers with unready status: [${unready.join(' ')}]` : gates.length ? `corresponding condition of pod readiness gate "${gates[0]}" does not exist.` : undefined),
    terminal ? cond('ContainersReady', false, 'PodCompleted') : cond('ContainersReady', unready.length === 0, unready.length ? 'ContainersNotReady' : undefined, unready.length ? `containers with unready status: [${unready.join(' ')}]` : undefined),
  ];
  // Conditions owned by others (PodScheduled, readiness gates, DisruptionTarget) are kept.
  const mine = new Set(conditions.map((c) => c.type));
  for (const c of old.conditions ?? []) if (!mine.has(c.type)) conditions.push(c);

  const status: Json = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: old.startTime ?? now,
    containerStatuses: statuses,
    qosClass: old.qosClass,
  };
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  if (input.podIPs.length) {
    status.podIP = input.podIPs[0];
    status.podIPs = input.podIPs.map((ip) => ({ ip }));
  }
  if (input.podFailure) {
    status.reason = input.podFailure.reason;
    status.message = input.podFailure.message;
  }
  return status;
}
