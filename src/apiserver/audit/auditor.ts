// Audit events (audit.k8s.io/v1 Event, one JSON line each): the server's handler opens a record
// per request, tells it who the user is and what the request addresses, and the record writes its
// RequestReceived event (unless the policy omits it) and its ResponseComplete event when the
// response closes. Request and response bodies are captured only when the level asks for them.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError } from '../../api/errors.js';
import type { RequestInfo } from '../request-info.js';
import type { UserInfo } from '../authn.js';
import { rawBody, requestObjectOf, wantRequestObject } from '../body.js';
import { evaluatePolicy, levelAtLeast } from './policy.js';
import type { AuditLevel, AuditPolicy, AuditStage } from './policy.js';

export interface AuditSink {
  write(line: string): void;
}

export interface AuditRecord {
  /** Annotations plugins add (PodSecurity's audit-violations, ...), written with the event. */
  readonly annotations: Record<string, string>;
  authenticated(user: UserInfo | undefined): void;
  /** The request's target, once parsed; decides the level. */
  target(ri: RequestInfo | undefined, path: string): void;
  failed(err: unknown): void;
}

const RESPONSE_CAPTURE_LIMIT = 1 << 20;

export class Auditor {
  constructor(
    private readonly policy: AuditPolicy,
    private readonly sink: AuditSink,
  ) {}

  /**
   * Opens the record of one request. `res` is its response, or for an upgraded request (exec,
   * attach, port-forward) its socket: the event is written when the stream ends, with code 101.
   */
  begin(req: IncomingMessage, res: ServerResponse | Duplex): AuditRecord {
    const response = 'writeHead' in res ? (res as ServerResponse) : undefined;
    const received = new Date();
    const auditID = randomUUID();
    let user: UserInfo | undefined;
    let ri: RequestInfo | undefined;
    let path = '';
    let level: AuditLevel | undefined;
    let omit: AuditStage[] = [];
    let error: unknown;
    let chunks: Buffer[] | undefined;
    const annotations: Record<string, string> = {};
    const method = (req.method ?? 'GET').toLowerCase();

    const base = (stage: AuditStage): Record<string, unknown> => {
      const ev: Record<string, unknown> = {
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level,
        auditID,
        stage,
        requestURI: req.url ?? '/',
        verb: ri?.isResourceRequest ? ri.verb : method,
        user: user ? { username: user.name, groups: user.groups } : { username: 'system:anonymous', groups: ['system:unauthenticated'] },
        sourceIPs: [sourceIp(req)],
      };
      if (req.headers['user-agent']) ev.userAgent = req.headers['user-agent'];
      if (ri?.isResourceRequest) ev.objectRef = objectRef(ri, req);
      return ev;
    };
    const emit = (ev: Record<string, unknown>, stage: AuditStage) => {
      ev.requestReceivedTimestamp = micro(received);
      ev.stageTimestamp = micro(new Date());
      if (stage === 'ResponseComplete' && Object.keys(annotations).length) ev.annotations = annotations;
      this.sink.write(JSON.stringify(ev));
    };
    const decide = () => {
      if (level !== undefined) return;
      const d = evaluatePolicy(this.policy, {
        user: user ? { name: user.name, groups: user.groups } : { name: 'system:anonymous', groups: ['system:unauthenticated'] },
        verb: ri?.isResourceRequest ? ri.verb : method,
        isResourceRequest: !!ri?.isResourceRequest,
        path,
        group: ri?.group ?? '',
        resource: ri?.resource ?? '',
        subresource: ri?.subresource ?? '',
        namespace: ri?.namespace ?? '',
        name: ri?.name ?? '',
      });
      level = d.level;
      omit = d.omitStages;
      if (levelAtLeast(level, 'Request')) wantRequestObject(req);
      if (level === 'RequestResponse' && response && !(ri?.verb === 'watch')) chunks = captureResponse(response);
      // Long-running requests (watches) also get ResponseStarted, when their headers go out.
      if (level !== 'None' && response && ri?.verb === 'watch' && !omit.includes('ResponseStarted')) {
        onHeaders(response, () => {
          const ev = base('ResponseStarted');
          ev.responseStatus = { metadata: {}, code: response.statusCode };
          emit(ev, 'ResponseStarted');
        });
      }
    };

    res.once('close', () => {
      if (level === undefined) decide();
      if (level === 'None' || omit.includes('ResponseComplete')) return;
      const ev = base('ResponseComplete');
      const code = response ? response.statusCode : error instanceof StatusError ? error.code : error ? 500 : 101;
      if (error instanceof StatusError) ev.responseStatus = { metadata: {}, status: 'Failure', message: error.message, reason: error.reason, code };
      else if (code >= 400) ev.responseStatus = { metadata: {}, status: 'Failure', code };
      else ev.responseStatus = { metadata: {}, code };
      if (levelAtLeast(level!, 'Request')) {
        // The decoded object (any wire format), else a JSON body as sent (patches).
        const snapshot = requestObjectOf(req)?.json;
        const body = snapshot !== undefined ? JSON.parse(snapshot) : jsonOf(rawBody(req), req.headers['content-type']);
        if (body !== undefined) ev.requestObject = body;
      }
      if (chunks) {
        // writeHead(code, headers) leaves getHeader empty: then the body itself tells.
        const ct = response?.getHeader('content-type');
        const body = jsonOf(Buffer.concat(chunks), ct === undefined ? undefined : String(ct));
        if (body !== undefined) ev.responseObject = body;
      }
      emit(ev, 'ResponseComplete');
    });

    return {
      annotations,
      authenticated: (u) => (user = u),
      target: (r, p) => {
        ri = r;
        path = p;
        decide();
        if (level !== 'None' && !omit.includes('RequestReceived')) emit(base('RequestReceived'), 'RequestReceived');
      },
      failed: (e) => (error = e),
    };
  }
}

function objectRef(ri: RequestInfo, req: IncomingMessage): Record<string, string> {
  const ref: Record<string, string> = { resource: ri.resource };
  if (ri.namespace) ref.namespace = ri.namespace;
  let name = ri.name;
  // A create names its object in the body (upstream fills objectRef from the request object).
  if (!name && ri.verb === 'create') name = requestObjectOf(req)?.name ?? '';
  if (name) ref.name = name;
  if (ri.group) ref.apiGroup = ri.group;
  ref.apiVersion = ri.version;
  if (ri.subresource) ref.subresource = ri.subresource;
  return ref;
}

/** Calls `fn` once, when the response's headers are written (explicitly or by the first write). */
function onHeaders(res: ServerResponse, fn: () => void): void {
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  let done = false;
  res.writeHead = ((...a: unknown[]) => {
    const r = writeHead(...a);
    if (!done) {
      done = true;
      fn();
    }
    return r;
  }) as ServerResponse['writeHead'];
}

function captureResponse(res: ServerResponse): Buffer[] {
  const chunks: Buffer[] = [];
  let size = 0;
  const keep = (c: unknown) => {
    if (c === undefined || c === null || typeof c === 'function' || size > RESPONSE_CAPTURE_LIMIT) return;
    const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
    size += b.length;
    if (size <= RESPONSE_CAPTURE_LIMIT) chunks.push(b);
  };
  const write = res.write.bind(res) as (...a: unknown[]) => boolean;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.write = ((...a: unknown[]) => (keep(a[0]), write(...a))) as ServerResponse['write'];
  res.end = ((...a: unknown[]) => (keep(a[0]), end(...a))) as ServerResponse['end'];
  return chunks;
}

function jsonOf(buf: Buffer | undefined, contentType: string | undefined): unknown {
  if (!buf || !buf.length || (contentType !== undefined && !/json/.test(contentType))) return undefined;
  const first = buf.find((c) => c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09);
  if (first !== 0x7b && first !== 0x5b) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
}

function sourceIp(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** RFC 3339 with microseconds, as upstream's MicroTime. */
function micro(d: Date): string {
  return d.toISOString().replace(/Z$/, '000Z');
}
