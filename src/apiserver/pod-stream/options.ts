// Query parameters of the pod streaming subresources, parsed and validated as kube-apiserver
// does (PodLogOptions, PodExecOptions, PodAttachOptions, PodPortForwardOptions), and turned into
// the kubelet's query string (the kubelet names stdin/stdout/stderr `input`/`output`/`error`).
import { badRequest, fieldErrors, invalid } from '../../api/errors.js';
import type { FieldError } from '../../api/errors.js';

export interface LogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  tailLines?: number;
  limitBytes?: number;
  insecureSkipTLSVerifyBackend: boolean;
}

export interface ExecOptions {
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Go's strconv.ParseBool, which the query parameter codec uses; absent → false. */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === '') return false;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw badRequest(`strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing "${v}": invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw badRequest(`strconv.ParseInt: parsing "${v}": value out of range`);
  return n;
}

/** PodLogOptions from the query, validated as upstream's ValidatePodLogOptions. */
export function parseLogOptions(q: URLSearchParams, podName: string): LogOptions {
  const o: LogOptions = {
    container: q.get('container') ?? '',
    follow: queryBool(q, 'follow'),
    previous: queryBool(q, 'previous'),
    timestamps: queryBool(q, 'timestamps'),
    sinceSeconds: queryInt(q, 'sinceSeconds'),
    tailLines: queryInt(q, 'tailLines'),
    limitBytes: queryInt(q, 'limitBytes'),
    insecureSkipTLSVerifyBackend: queryBool(q, 'insecureSkipTLSVerifyBackend'),
  };
  const since = q.get('sinceTime');
  if (since) {
    const t = Date.parse(since);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(since) || Number.isNaN(t)) {
      throw badRequest(`parsing time "${since}" as "2006-01-02T15:04:05Z07:00": cannot parse "${since}" as RFC3339`);
    }
    // Upstream's metav1.Time keeps second precision on the wire.
    o.sinceTime = new Date(Math.floor(t / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) errs.push(fieldErrors.invalid('tailLines', o.tailLines, 'must be greater than or equal to 0'));
  if (o.limitBytes !== undefined && o.limitBytes < 1) errs.push(fieldErrors.invalid('limitBytes', o.limitBytes, 'must be greater than 0'));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) errs.push({ type: 'FieldValueForbidden', field: '', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) errs.push(fieldErrors.invalid('sinceSeconds', o.sinceSeconds, 'must be greater than 0'));
  if (errs.length) throw invalid('', 'PodLogOptions', podName, errs.map((e) => (e.field ? e : { ...e, message: `: ${e.message}` })));
  return o;
}

/** The kubelet's /containerLogs query for validated options. */
export function logQuery(o: LogOptions): URLSearchParams {
  const p = new URLSearchParams();
  if (o.follow) p.set('follow', 'true');
  if (o.previous) p.set('previous', 'true');
  if (o.timestamps) p.set('timestamps', 'true');
  if (o.sinceSeconds !== undefined) p.set('sinceSeconds', String(o.sinceSeconds));
  if (o.sinceTime !== undefined) p.set('sinceTime', o.sinceTime);
  if (o.tailLines !== undefined) p.set('tailLines', String(o.tailLines));
  if (o.limitBytes !== undefined) p.set('limitBytes', String(o.limitBytes));
  return p;
}

/** PodExecOptions (or PodAttachOptions when `exec` is false: no command). */
export function parseExecOptions(q: URLSearchParams, exec: boolean): ExecOptions {
  const o: ExecOptions = {
    container: q.get('container') ?? '',
    command: q.getAll('command'),
    stdin: queryBool(q, 'stdin'),
    stdout: queryBool(q, 'stdout'),
    stderr: queryBool(q, 'stderr'),
    tty: queryBool(q, 'tty'),
  };
  if (exec && o.command.length === 0) throw badRequest('you must specify at least 1 command');
  if (!o.stdin && !o.stdout && !o.stderr) throw badRequest('you must specify at least one of stdin, stdout, stderr');
  return o;
}

/** The kubelet's /exec and /attach query (upstream's streamParams). */
export function execQuery(o: ExecOptions, exec: boolean): URLSearchParams {
  const p = new URLSearchParams();
  if (o.stdin) p.set('input', '1');
  if (o.stdout) p.set('output', '1');
  if (o.stderr) p.set('error', '1');
  if (o.tty) p.set('tty', '1');
  if (exec) for (const c of o.command) p.append('command', c);
  return p;
}

/** PodPortForwardOptions: `ports` may repeat; each must be a valid port. */
export function portForwardQuery(q: URLSearchParams): URLSearchParams {
  const ports: number[] = [];
  for (const raw of q.getAll('ports')) {
    for (const s of raw.split(',')) {
      const n = Number(s.trim());
      if (!/^\d+$/.test(s.trim()) || n < 1 || n > 65535) throw badRequest(`invalid port "${s}": must be between 1 and 65535, inclusive`);
      ports.push(n);
    }
  }
  const p = new URLSearchParams();
  if (ports.length) p.set('port', ports.join(','));
  return p;
}
