// postStart and preStop hooks, as upstream's lifecycle handler runner: exec through CRI ExecSync,
// httpGet (kube-lifecycle User-Agent, no certificate checks, HTTPS→HTTP fallback; the response
// status is not checked, as upstream), and sleep. Failures carry upstream's messages; postStart
// failures are PostStartHookError (event FailedPostStartHook), preStop ones FailedPreStopHook.
import type { CriClient } from '../cri/client.js';
import { actionUrl, httpGet, requestHeaders } from './http-get.js';
import { formatPod, goQuote, type Container, type LifecycleHandler, type Pod } from './types.js';

export interface HookContext {
  pod: Pod;
  container: Container;
  containerId: string;
  /** Default host of httpGet hooks. */
  podIP: string;
  cri: Pick<CriClient, 'execSync'>;
  /** `major.minor`, for the User-Agent `kube-lifecycle/<major.minor>`. */
  kubeVersion: string;
  /** Ends a running hook (a sleep hook then fails: the container is going away). */
  signal?: AbortSignal;
  /** Other events (LifecycleHTTPFallback). */
  onEvent?: (e: HookEvent) => void;
}
export interface HookEvent { type: 'Warning'; reason: string; message: string }
export type HandlerResult = { ok: true } | { ok: false; message: string };

const NO_DEADLINE_MS = 2_147_483_647;

function goArgs(cmd: string[]): string {
  return `[${cmd.join(' ')}]`;
}

/** Runs one handler; a failure comes back with upstream's message, never as an exception. */
export async function runHandler(handler: LifecycleHandler, ctx: HookContext): Promise<HandlerResult> {
  const where = `for Container ${goQuote(ctx.container.name)} in Pod ${goQuote(formatPod(ctx.pod))}`;
  if (handler.exec) {
    const cmd = handler.exec.command ?? [];
    let output = '';
    let error: string | undefined;
    try {
      const r = await ctx.cri.execSync(ctx.containerId, cmd, 0);
      output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
      if (r.exitCode !== 0) error = `command '${cmd.join(' ')}' exited with ${r.exitCode}: ${r.stderr.toString('utf8')}`;
    } catch (e) {
      error = (e as Error).message;
    }
    if (error === undefined) return { ok: true };
    return { ok: false, message: `Exec lifecycle hook (${goArgs(cmd)}) ${where} failed - error: ${error}, message: ${goQuote(output)}` };
  }
  if (handler.httpGet) {
    const error = await runHttp(handler, ctx);
    if (error === undefined) return { ok: true };
    return { ok: false, message: `HTTP lifecycle hook (${handler.httpGet.path ?? ''}) ${where} failed - error: ${error}` };
  }
  if (handler.sleep) {
    const seconds = handler.sleep.seconds;
    const finished = await sleep(seconds * 1000, ctx.signal);
    if (finished) return { ok: true };
    return { ok: false, message: `Sleep lifecycle hook (${seconds}) ${where} failed - error: container terminated before sleep hook finished` };
  }
  return { ok: false, message: `Cannot run handler: invalid handler: ${JSON.stringify(handler)}` };
}

async function runHttp(handler: LifecycleHandler, ctx: HookContext): Promise<string | undefined> {
  const action = handler.httpGet!;
  let url: URL;
  try {
    if (!action.host && !ctx.podIP) return 'failed to find networking container: no pod IP';
    url = actionUrl(action, ctx.container, ctx.podIP);
  } catch (e) {
    return (e as Error).message;
  }
  const headers = requestHeaders(action, `kube-lifecycle/${ctx.kubeVersion}`);
  try {
    await httpGet(url, headers, NO_DEADLINE_MS, ctx.signal);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    if (url.protocol !== 'https:' || !message.includes('server gave HTTP response to HTTPS client')) return message;
    const plain = new URL(url);
    plain.protocol = 'http:';
    delete headers['authorization'];
    try {
      await httpGet(plain, headers, NO_DEADLINE_MS, ctx.signal);
    } catch {
      return message;
    }
    ctx.onEvent?.({ type: 'Warning', reason: 'LifecycleHTTPFallback', message: `request to HTTPS lifecycle hook ${plain.host} got HTTP response, retry with HTTP succeeded` });
    return undefined;
  }
}

export type PostStartOutcome =
  | { ok: true }
  | { ok: false; reason: 'PostStartHookError'; message: string; error: string; event: HookEvent };

/**
 * Runs the container's postStart hook (if any). On failure the kubelet records the event, kills
 * the container (reason FailedPostStartHook) and reports PostStartHookError with the message.
 */
export async function runPostStart(ctx: HookContext): Promise<PostStartOutcome> {
  const handler = ctx.container.lifecycle?.postStart;
  if (!handler) return { ok: true };
  const r = await runHandler(handler, ctx);
  if (r.ok) return r;
  // The event leaves the message out: it may hold secrets (as upstream).
  return { ok: false, reason: 'PostStartHookError', message: r.message, error: `PostStartHookError: ${r.message}`, event: { type: 'Warning', reason: 'FailedPostStartHook', message: 'PostStartHook failed' } };
}

export interface PreStopOutcome {
  /** Whole seconds the hook took (or the grace period, if it did not finish). */
  elapsedSeconds: number;
  /** What is left for StopContainer: gracePeriod − elapsed, at least 2 s (upstream's minimum). */
  remainingGracePeriodSeconds: number;
  completed: boolean;
  message?: string;
  event?: HookEvent;
}

export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

/** Runs the preStop hook (if any), for at most gracePeriodSeconds. */
export async function runPreStop(ctx: HookContext, gracePeriodSeconds: number): Promise<PreStopOutcome> {
  const handler = ctx.container.lifecycle?.preStop;
  if (!handler) return { elapsedSeconds: 0, remainingGracePeriodSeconds: Math.max(gracePeriodSeconds, MINIMUM_GRACE_PERIOD_SECONDS), completed: true };
  const start = Date.now();
  const stop = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, stop.signal]) : stop.signal;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), gracePeriodSeconds * 1000)));
  const r = await Promise.race([runHandler(handler, { ...ctx, signal }), timedOut]);
  clearTimeout(timer);
  stop.abort();
  const elapsedSeconds = Math.floor((Date.now() - start) / 1000);
  const remainingGracePeriodSeconds = Math.max(gracePeriodSeconds - elapsedSeconds, MINIMUM_GRACE_PERIOD_SECONDS);
  if (r === 'timeout') return { elapsedSeconds, remainingGracePeriodSeconds, completed: false };
  if (r.ok) return { elapsedSeconds, remainingGracePeriodSeconds, completed: true };
  return { elapsedSeconds, remainingGracePeriodSeconds, completed: true, message: r.message, event: { type: 'Warning', reason: 'FailedPreStopHook', message: 'PreStopHook failed' } };
}

/** true when the time passed, false when aborted first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      resolve(false);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
