// Writing responses: JSON bodies, Status errors, content negotiation (JSON, Table, YAML),
// and Warning headers.
import type { ServerResponse } from 'node:http';
import { StatusError, internal, notAcceptable } from '../api/errors.js';
import { StorageError } from '../storage/backend.js';
import { stringify as yamlStringify } from 'yaml';

export type OutputFormat = { type: 'json' } | { type: 'table'; includeObject: string } | { type: 'yaml' };

/** Chooses the response form from the Accept header (first acceptable media range wins). */
export function negotiate(accept: string | undefined, query: URLSearchParams): OutputFormat {
  if (!accept) return { type: 'json' };
  const includeObject = query.get('includeObject') ?? 'Metadata';
  for (const raw of accept.split(',')) {
    const parts = raw.split(';').map((p) => p.trim());
    const mt = parts[0]!.toLowerCase();
    const params = new Map<string, string>();
    for (const p of parts.slice(1)) {
      const i = p.indexOf('=');
      if (i > 0) params.set(p.slice(0, i).trim(), p.slice(i + 1).trim());
    }
    if (mt === 'application/json' || mt === 'application/*' || mt === '*/*') {
      if (params.get('as') === 'Table') {
        if (params.get('g') === 'meta.k8s.io' && (params.get('v') === 'v1' || params.get('v') === 'v1beta1')) return { type: 'table', includeObject };
        continue;
      }
      if (params.has('as')) continue;
      return { type: 'json' };
    }
    if (mt === 'application/yaml') return { type: 'yaml' };
  }
  throw notAcceptable(`only the following media types are accepted: application/json, application/yaml`);
}

export function writeJson(res: ServerResponse, code: number, body: unknown, format: 'json' | 'yaml' = 'json'): void {
  if (res.headersSent) return;
  const text = format === 'yaml' ? yamlStringify(body) : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': format === 'yaml' ? 'application/yaml' : 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function writeError(res: ServerResponse, err: unknown, log?: (msg: string) => void): void {
  let se: StatusError;
  if (err instanceof StatusError) se = err;
  else if (err instanceof StorageError) {
    // The datastore failed (etcd without a leader or unreachable, a disk error): say so, as
    // upstream's storage errors do ("Internal error occurred: etcdserver: …").
    log?.(`storage error: ${err.message}`);
    se = internal(`storage: ${err.message}`);
  } else {
    log?.(`internal error: ${(err as Error)?.stack ?? String(err)}`);
    se = internal('an internal error occurred; see the server log');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const extra: Record<string, string> = {};
  if (se.details?.retryAfterSeconds) extra['Retry-After'] = String(se.details.retryAfterSeconds);
  const text = JSON.stringify(se.toStatus());
  res.writeHead(se.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

/** Adds `Warning: 299 - "..."` headers, as kube-apiserver reports warnings. */
export function addWarnings(res: ServerResponse, warnings: string[]): void {
  if (!warnings.length || res.headersSent) return;
  const values = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.setHeader('Warning', values);
}
