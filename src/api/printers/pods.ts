// Pods and pod templates. The pod STATUS column follows upstream's printPod: the pod's reason,
// then the first init container that has not finished ("Init:0/2", "Init:CrashLoopBackOff"),
// then the last container with a waiting/terminated reason, with "Terminating" for deleted pods.

import type { KObject } from '../types.js';
import { formatLabels } from '../selectors/label-selector.js';
import { bool, has, int, list, record, str, stringMap } from './access.js';
import { age, containerCells, humanDuration, parseTime } from './format.js';
import { column, nameColumn, ageColumn, type TablePrinter, type TableRowCondition } from './table.js';

const isRestartableInit = (c: unknown): boolean => str(c, 'restartPolicy') === 'Always';
const hasCondition = (pod: unknown, type: string): boolean => list(pod, 'status', 'conditions').some((c) => str(c, 'type') === type && str(c, 'status') === 'True');

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart: number | undefined;
}

function terminatedReason(prefix: string, terminated: Record<string, unknown>): string {
  const reason = str(terminated, 'reason');
  if (reason !== '') return prefix + reason;
  const signal = int(terminated, 'signal');
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${int(terminated, 'exitCode')}`;
}

/** The READY / STATUS / RESTARTS cells' inputs, computed as upstream's printPod does. */
export function summarizePod(pod: unknown): PodSummary {
  const initSpecs = list(pod, 'spec', 'initContainers');
  const initByName = new Map(initSpecs.map((c) => [str(c, 'name'), c]));
  const total = list(pod, 'spec', 'containers').length + initSpecs.filter(isRestartableInit).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined): number | undefined => (b === undefined ? a : a === undefined || b > a ? b : a);

  let reason = str(pod, 'status', 'reason') || str(pod, 'status', 'phase');
  for (const c of list(pod, 'status', 'conditions')) {
    if (str(c, 'type') === 'PodScheduled' && str(c, 'reason') === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = list(pod, 'status', 'initContainerStatuses');
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const finished = parseTime(str(cs, 'lastState', 'terminated', 'finishedAt'));
    restarts += int(cs, 'restartCount');
    lastRestart = later(lastRestart, finished);
    const sidecar = isRestartableInit(initByName.get(str(cs, 'name')));
    if (sidecar) {
      sidecarRestarts += int(cs, 'restartCount');
      lastSidecarRestart = later(lastSidecarRestart, finished);
    }
    const terminated = record(cs, 'state', 'terminated');
    const isTerminated = has(cs, 'state', 'terminated');
    const waitingReason = str(cs, 'state', 'waiting', 'reason');
    if (isTerminated && int(terminated, 'exitCode') === 0) continue;
    if (sidecar && bool(cs, 'started')) {
      if (bool(cs, 'ready')) ready++;
      continue;
    }
    if (isTerminated) reason = terminatedReason('Init:', terminated);
    else if (waitingReason !== '' && waitingReason !== 'PodInitializing') reason = `Init:${waitingReason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = list(pod, 'status', 'containerStatuses');
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += int(cs, 'restartCount');
      lastRestart = later(lastRestart, parseTime(str(cs, 'lastState', 'terminated', 'finishedAt')));
      const state = record(cs, 'state');
      const waitingReason = str(state, 'waiting', 'reason');
      if (waitingReason !== '') reason = waitingReason;
      else if (has(state, 'terminated')) reason = terminatedReason('', record(state, 'terminated'));
      else if (bool(cs, 'ready') && has(state, 'running')) {
        hasRunning = true;
        ready++;
      }
    }
    // A completed container beside a still-running one: the pod is not done.
    if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  const phase = str(pod, 'status', 'phase');
  if (str(pod, 'metadata', 'deletionTimestamp') !== '') {
    if (str(pod, 'status', 'reason') === 'NodeLost') reason = 'Unknown';
    else if (phase !== 'Failed' && phase !== 'Succeeded') reason = 'Terminating';
  }
  return { ready, total, reason, restarts, lastRestart };
}

function readinessGates(pod: unknown): string {
  const gates = list(pod, 'spec', 'readinessGates');
  if (gates.length === 0) return '<none>';
  const conditions = list(pod, 'status', 'conditions');
  const passing = gates.filter((g) => str(conditions.find((c) => str(c, 'type') === str(g, 'conditionType')), 'status') === 'True').length;
  return `${passing}/${gates.length}`;
}

const orNone = (s: string): string => (s === '' ? '<none>' : s);

export const podPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn(),
    column('IP', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { priority: 1 }),
    column('Node', 'NodeName indicates in which node this pod is scheduled.', { priority: 1 }),
    column('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', { priority: 1 }),
    column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', { priority: 1 }),
  ],
  row(pod, now) {
    const s = summarizePod(pod);
    const restarts = s.restarts !== 0 && s.lastRestart !== undefined ? `${s.restarts} (${humanDuration(now - s.lastRestart)} ago)` : String(s.restarts);
    const podIP = str(pod, 'status', 'podIPs', 0, 'ip') || str(pod, 'status', 'podIP');
    return [
      str(pod, 'metadata', 'name'),
      `${s.ready}/${s.total}`,
      s.reason,
      restarts,
      age(pod, now),
      orNone(podIP),
      orNone(str(pod, 'spec', 'nodeName')),
      orNone(str(pod, 'status', 'nominatedNodeName')),
      readinessGates(pod),
    ];
  },
  conditions(pod: KObject): TableRowCondition[] | undefined {
    const phase = str(pod, 'status', 'phase');
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};

export const podTemplatePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Containers', 'Names of each container in the template.'),
    column('Images', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'The labels for the pod template.'),
  ],
  row(obj) {
    const [names, images] = containerCells(record(obj, 'template', 'spec'));
    return [str(obj, 'metadata', 'name'), names, images, formatLabels(stringMap(obj, 'template', 'metadata', 'labels'))];
  },
};
