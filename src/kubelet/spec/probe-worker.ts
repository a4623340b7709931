// ProbeWorker: probes one container with one probe kind on the probe's schedule, as upstream's
// prober worker: nothing before initialDelaySeconds after the container started; liveness and
// readiness wait until the container has started (startup probe passed); results change only after
// successThreshold/failureThreshold consecutive attempts; after a liveness/startup failure the
// worker holds until a new container appears. Initial results: readiness failure, liveness success,
// startup unknown. Errored attempts are dropped.
import type { Container, Pod, Probe } from './types.js';
import type { ProbeEvent, ProbeKind, ProbeResultKind, Prober } from './probes.js';

/** What the worker needs to know about the container each period (from the kubelet's status). */
export interface ProbedStatus {
  podIP: string;
  /** The pod ended (Succeeded/Failed): the worker stops. */
  podTerminal?: boolean;
  /** The pod is being deleted: liveness and startup workers report success and stop. */
  deleting?: boolean;
  container?: {
    id: string;
    running: boolean;
    /** Milliseconds since the epoch. */
    startedAt: number;
    /** The startup probe has passed (or there is none): gates liveness and readiness. */
    started: boolean;
    terminated?: boolean;
  };
}

export interface ProbeUpdate {
  kind: ProbeKind;
  containerId: string;
  result: ProbeResultKind;
  /** For a liveness/startup failure: seconds of grace when killing (probe-level, else the pod's). */
  gracePeriodSeconds?: number;
}

export interface ProbeWorkerOptions {
  pod: Pod;
  container: Container;
  kind: ProbeKind;
  prober: Pick<Prober, 'probe'>;
  status: () => ProbedStatus | undefined;
  /** Called when the published result of a container changes. */
  onResult: (u: ProbeUpdate) => void;
  onEvent?: (e: ProbeEvent) => void;
  /** Milliseconds per probe-spec second (tests shrink time). */
  secondMs?: number;
}

export function probeSpec(container: Container, kind: ProbeKind): Probe | undefined {
  return kind === 'liveness' ? container.livenessProbe : kind === 'readiness' ? container.readinessProbe : container.startupProbe;
}

const INITIAL: Record<ProbeKind, ProbeResultKind> = { readiness: 'failure', liveness: 'success', startup: 'unknown' };

export class ProbeWorker {
  private readonly spec: Probe;
  private containerId = '';
  private published: ProbeResultKind | undefined;
  private lastResult: ProbeResultKind = 'unknown';
  private resultRun = 0;
  private onHold = false;

  constructor(private readonly opts: ProbeWorkerOptions) {
    const spec = probeSpec(opts.container, opts.kind);
    if (!spec) throw new Error(`container ${opts.container.name} has no ${opts.kind} probe`);
    this.spec = spec;
  }

  /** The result currently published for the current container (undefined before one exists). */
  get result(): ProbeResultKind | undefined {
    return this.published;
  }

  /** Probes every periodSeconds until signal aborts or the worker has nothing left to do. */
  async run(signal: AbortSignal): Promise<void> {
    const periodMs = (this.spec.periodSeconds ?? 10) * (this.opts.secondMs ?? 1000);
    while (!signal.aborted) {
      const keepGoing = await this.doProbe(signal);
      if (!keepGoing || signal.aborted) return;
      await sleep(periodMs, signal);
    }
  }

  private publish(result: ProbeResultKind): void {
    if (this.published === result) return;
    this.published = result;
    const u: ProbeUpdate = { kind: this.opts.kind, containerId: this.containerId, result };
    if (result === 'failure' && this.opts.kind !== 'readiness') {
      u.gracePeriodSeconds = this.spec.terminationGracePeriodSeconds ?? this.opts.pod.spec.terminationGracePeriodSeconds ?? 30;
    }
    this.opts.onResult(u);
  }

  /** One period's work; false when the worker should stop. Exposed for tests and manual triggers. */
  async doProbe(signal?: AbortSignal): Promise<boolean> {
    const { kind } = this.opts;
    const status = this.opts.status();
    if (!status) return true;
    if (status.podTerminal) return false;
    const c = status.container;
    if (!c?.id) return true;
    if (c.id !== this.containerId) {
      this.containerId = c.id;
      this.published = undefined;
      this.lastResult = 'unknown';
      this.resultRun = 0;
      this.publish(INITIAL[kind]);
      this.onHold = false;
    }
    if (this.onHold) return true;
    if (!c.running) {
      this.publish('failure');
      return !c.terminated || this.opts.pod.spec.restartPolicy !== 'Never';
    }
    if (status.deleting && (kind === 'liveness' || kind === 'startup')) {
      this.publish('success');
      return false;
    }
    const secondMs = this.opts.secondMs ?? 1000;
    if (Date.now() - c.startedAt < (this.spec.initialDelaySeconds ?? 0) * secondMs) return true;
    if (c.started ? kind === 'startup' : kind !== 'startup') return true;

    const r = await this.opts.prober.probe(kind, this.spec, { pod: this.opts.pod, container: this.opts.container, containerId: c.id, podIP: status.podIP }, signal);
    if (r.event) this.opts.onEvent?.(r.event);
    if (r.result === 'unknown' || signal?.aborted) return true;
    if (r.result === this.lastResult) this.resultRun++;
    else {
      this.lastResult = r.result;
      this.resultRun = 1;
    }
    const threshold = r.result === 'failure' ? (this.spec.failureThreshold ?? 3) : (this.spec.successThreshold ?? 1);
    if (this.resultRun < threshold) return true;
    this.publish(r.result);
    if ((kind === 'liveness' || kind === 'startup') && r.result === 'failure') {
      // The container will be restarted: wait for the new one.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
