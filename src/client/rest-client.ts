// A small Kubernetes REST client over HTTPS (keep-alive), used by in-process controllers and
// tools. Components talk to the API server only through this, never to storage directly.
import { Agent, request } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { KObject, KList } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { ServerPool, neverSent, unreachable } from './server-pool.js';
import type { Status } from '../api/errors.js';

export interface ClientConfig {
  server: string;
  caPem: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  userAgent?: string;
  /** Concurrent connections (watches hold one each). Default 64. */
  maxSockets?: number;
}

export interface WatchEventOf<T = KObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export class RestClient {
  private agent: Agent;
  /** Watches hold a connection each for minutes: they get their own pool so requests never queue behind them. */
  private watchAgent: Agent;
  /** Pools replaced by setClientCertificate: what is open on them runs on until close(). */
  private readonly retired: Agent[] = [];
  private readonly pool: ServerPool;
  private readonly siblings: RestClient[] = [];

  constructor(private cfg: ClientConfig) {
    this.pool = ServerPool.for(cfg.server);
    [this.agent, this.watchAgent] = this.pools(cfg.certPem, cfg.keyPem);
  }

  /**
   * A client with the same identity and servers on connections of its own, as the kubelet's
   * separate heartbeat client: its requests never queue behind this client's. It follows this
   * client's certificate rotation and is closed with it. `maxSockets`: its own connection limit.
   */
  sibling(opts: { maxSockets?: number } = {}): RestClient {
    const c = new RestClient({ ...this.cfg, ...opts });
    this.siblings.push(c);
    return c;
  }

  private pools(certPem?: string, keyPem?: string): [Agent, Agent] {
    // One TLS context for every connection (building one per connection is costly).
    const secureContext = createSecureContext({ ca: this.cfg.caPem, cert: certPem, key: keyPem });
    return [new Agent({ keepAlive: true, maxSockets: this.cfg.maxSockets ?? 64, secureContext }), new Agent({ keepAlive: true, maxSockets: Infinity, secureContext })];
  }

  /** Uses a new client certificate for new connections (a rotated node certificate). */
  setClientCertificate(certPem: string, keyPem: string): void {
    // In-flight requests and watches finish on the old pools; idle sockets there time out server-side.
    this.retired.push(this.agent, this.watchAgent);
    [this.agent, this.watchAgent] = this.pools(certPem, keyPem);
    this.cfg = { ...this.cfg, certPem, keyPem };
    for (const c of this.siblings) c.setClientCertificate(certPem, keyPem);
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
    for (const a of this.retired) a.destroy();
    for (const c of this.siblings) c.close();
  }

  private open(method: string, path: string, body: unknown, contentType = 'application/json', signal?: AbortSignal, agent: Agent = this.agent): Promise<IncomingMessage> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.cfg.userAgent ?? 'kts' };
    let data: string | undefined;
    if (body !== undefined) {
      data = JSON.stringify(body);
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(Buffer.byteLength(data));
    }
    if (this.cfg.token) headers.Authorization = `Bearer ${this.cfg.token}`;
    // Through the pool of servers: a server that cannot be reached is left for the next one, and
    // a request that never reached it is sent there.
    const send = (attempt: number): Promise<IncomingMessage> => {
      const target = this.pool.current();
      return new Promise<IncomingMessage>((resolve, reject) => {
        const req = request({ host: target.hostname, port: target.port || 443, path, method, headers, agent, signal }, resolve);
        req.on('error', reject);
        if (data !== undefined) req.write(data);
        req.end();
      }).catch((e: unknown) => {
        if (signal?.aborted || !unreachable(e)) throw e;
        this.pool.failed(target);
        if (neverSent(e) && attempt + 1 < this.pool.size) return send(attempt + 1);
        throw e;
      });
    };
    return send(0);
  }

  /** Performs a request and returns the decoded JSON body; non-2xx replies throw StatusError. */
  async call<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.open(method, path, body, contentType);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) {
      let st: Partial<Status>;
      try {
        st = JSON.parse(text) as Status;
      } catch {
        st = { message: text };
      }
      throw new StatusError(code, st.reason ?? 'Unknown', st.message ?? `HTTP ${code}`, st.details);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = KObject>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }
  list<T = KObject>(path: string): Promise<KList<T>> {
    return this.call<KList<T>>('GET', path);
  }
  create<T = KObject>(path: string, obj: unknown): Promise<T> {
    return this.call<T>('POST', path, obj);
  }
  update<T = KObject>(path: string, obj: unknown): Promise<T> {
    return this.call<T>('PUT', path, obj);
  }
  patch<T = KObject>(path: string, patch: unknown, type: 'merge' | 'json' | 'strategic' = 'merge'): Promise<T> {
    const ct = type === 'merge' ? 'application/merge-patch+json' : type === 'json' ? 'application/json-patch+json' : 'application/strategic-merge-patch+json';
    return this.call<T>('PATCH', path, patch, ct);
  }
  delete(path: string, options?: unknown): Promise<unknown> {
    return this.call('DELETE', path, options);
  }

  /**
   * Watches `path` (a collection URL; query parameters allowed), calling `onEvent` for each event
   * until the stream ends or `signal` aborts. Resolves when the stream ends.
   */
  async watch<T = KObject>(path: string, onEvent: (e: WatchEventOf<T>) => void, signal: AbortSignal): Promise<void> {
    const sep = path.includes('?') ? '&' : '?';
    let res: IncomingMessage;
    try {
      res = await this.open('GET', `${path}${sep}watch=true`, undefined, undefined, signal, this.watchAgent);
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    }
    if ((res.statusCode ?? 0) !== 200) {
      res.resume();
      throw new StatusError(res.statusCode ?? 500, 'Unknown', `watch ${path}: HTTP ${res.statusCode}`);
    }
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += (chunk as Buffer).toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) onEvent(JSON.parse(line) as WatchEventOf<T>);
        }
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }
}

/** Path of a collection or object: resourcePath('apps','v1','deployments','ns','name'). */
export function resourcePath(group: string, version: string, resource: string, namespace?: string, name?: string, subresource?: string): string {
  let p = group ? `/apis/${group}/${version}` : `/api/${version}`;
  if (namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${resource}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
