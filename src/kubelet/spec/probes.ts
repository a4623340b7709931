// One probe attempt, as upstream's prober runs it: exec through CRI ExecSync (exit 0 = success),
// httpGet (200–399 success; a redirect to another host is a success with a warning), tcpSocket
// (connect within the timeout), grpc (grpc.health.v1). Results carry upstream's output texts and
// the event the kubelet records (`Liveness probe failed: HTTP probe failed with statuscode: 500`).
import { connect } from 'node:net';
import type { CriClient } from '../cri/client.js';
import { expandStatic } from './expansion.js';
import { grpcHealthCheck } from './grpc-health.js';
import { actionUrl, httpGet, joinHostPort, requestHeaders, resolveContainerPort } from './http-get.js';
import type { Container, Pod, Probe } from './types.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResultKind = 'success' | 'failure' | 'unknown';
export interface ProbeEvent { type: 'Warning'; reason: 'Unhealthy' | 'ProbeWarning'; message: string }
export interface ProbeResult {
  result: ProbeResultKind;
  output: string;
  /** A success that upstream reports with a ProbeWarning event (redirect to another host). */
  warning?: boolean;
  /** The event the kubelet records for this attempt, if any. */
  event?: ProbeEvent;
}
export interface ProbeTarget {
  pod: Pod;
  container: Container;
  containerId: string;
  podIP: string;
}

const MAX_EXEC_OUTPUT = 10 * 1024;
const MAX_RETRIES = 3;
const DEADLINE_EXCEEDED = 4;

const KIND_NAME: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export interface ProberOptions {
  cri: Pick<CriClient, 'execSync'>;
  /** `major.minor` of the Kubernetes version the node reports, for the User-Agent (`kube-probe/1.32`). */
  kubeVersion: string;
}

export class Prober {
  constructor(private readonly opts: ProberOptions) {}

  /** Runs the probe (retrying attempts that errored, as upstream) and adds the event to record. */
  async probe(kind: ProbeKind, spec: Probe, target: ProbeTarget, signal?: AbortSignal): Promise<ProbeResult> {
    let r: ProbeResult = { result: 'unknown', output: '' };
    for (let i = 0; i < MAX_RETRIES && !signal?.aborted; i++) {
      r = await this.runOnce(spec, target, signal);
      if (r.result !== 'unknown') break;
    }
    const name = KIND_NAME[kind];
    if (r.result === 'unknown') r.event = { type: 'Warning', reason: 'Unhealthy', message: `${name} probe errored and resulted in unknown state: ${r.output}` };
    else if (r.result === 'failure') r.event = { type: 'Warning', reason: 'Unhealthy', message: `${name} probe failed: ${r.output}` };
    else if (r.warning) r.event = { type: 'Warning', reason: 'ProbeWarning', message: `${name} probe warning: ${r.output}` };
    return r;
  }

  /** One attempt; never throws: errors come back as `unknown` with the error text. */
  async runOnce(spec: Probe, target: ProbeTarget, signal?: AbortSignal): Promise<ProbeResult> {
    const timeoutSec = spec.timeoutSeconds ?? 1;
    try {
      if (spec.exec) return await this.exec(spec.exec.command ?? [], target, timeoutSec);
      if (spec.httpGet) {
        const url = actionUrl(spec.httpGet, target.container, target.podIP);
        const headers = requestHeaders(spec.httpGet, `kube-probe/${this.opts.kubeVersion}`);
        return await httpProbe(url, headers, timeoutSec * 1000, signal);
      }
      if (spec.tcpSocket) {
        const port = resolveContainerPort(spec.tcpSocket.port, target.container);
        return await tcpProbe(spec.tcpSocket.host || target.podIP, port, timeoutSec * 1000);
      }
      if (spec.grpc) return await grpcHealthCheck(target.podIP, spec.grpc.port, spec.grpc.service ?? '', timeoutSec * 1000);
      return { result: 'unknown', output: `missing probe handler for ${target.container.name}` };
    } catch (e) {
      return { result: 'unknown', output: (e as Error).message };
    }
  }

  private async exec(command: string[], target: ProbeTarget, timeoutSec: number): Promise<ProbeResult> {
    const cmd = expandStatic(command, target.container.env);
    try {
      const r = await this.opts.cri.execSync(target.containerId, cmd, timeoutSec);
      const output = Buffer.concat([r.stdout, r.stderr]).subarray(0, MAX_EXEC_OUTPUT).toString('utf8');
      return { result: r.exitCode === 0 ? 'success' : 'failure', output };
    } catch (e) {
      if ((e as { code?: number }).code === DEADLINE_EXCEEDED) return { result: 'failure', output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
      throw e;
    }
  }
}

export async function httpProbe(url: URL, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  let res;
  try {
    res = await httpGet(url, headers, timeoutMs, signal);
  } catch (e) {
    // Transport errors and timeouts are failures, as upstream.
    return { result: 'failure', output: (e as Error).message };
  }
  if (res.status >= 200 && res.status < 400) {
    if (res.status >= 300) return { result: 'success', warning: true, output: `Probe terminated redirects, Response body: ${res.body}` };
    return { result: 'success', output: res.body };
  }
  return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
}

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ result: 'failure', output: `dial tcp ${addr}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result: 'success', output: '' });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const text = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.code === 'EHOSTUNREACH' ? 'connect: no route to host' : err.code === 'ENETUNREACH' ? 'connect: network is unreachable' : err.message;
      resolve({ result: 'failure', output: `dial tcp ${addr}: ${text}` });
    });
  });
}
