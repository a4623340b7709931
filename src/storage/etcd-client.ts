// A small etcd v3 client over gRPC: one channel per endpoint (http:// or https:// with the given CA
// and client certificate), unary KV calls with a deadline, and raw Watch streams for etcd-watch.ts.
// Every call carries etcd's "hasleader" metadata (as upstream's apiserver does for watches), so a
// member without a leader answers "etcdserver: no leader" at once instead of stalling.
// Calls that could not have reached etcd (no connection, no leader) are retried on the next
// endpoint until the deadline; reads are also retried after other unavailability. Failures become
// EtcdError, a StorageError naming the endpoint.
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { StorageError } from './backend.js';
import { etcdProto } from './etcd-proto.js';
import { parseEtcdEndpoint } from './etcd-endpoint.js';
import type { PbDeleteRangeResponse, PbMember, PbMemberAddResponse, PbRangeRequest, PbRangeResponse, PbSnapshotResponse, PbStatusResponse, PbTxnRequest, PbTxnResponse, PbWatchResponse } from './etcd-proto.js';

export interface EtcdTls {
  /** CA bundle that signs the etcd servers' certificates (default: the system's roots). */
  caPem?: string;
  /** Client certificate and key, for etcd's --client-cert-auth. */
  certPem?: string;
  keyPem?: string;
}

export interface EtcdClientOptions {
  /** `http://host:port` or `https://host:port` (port 2379 when absent). */
  endpoints: string[];
  tls?: EtcdTls;
  /** Deadline of each unary call, retries included (default 10 s). */
  callTimeoutMs?: number;
}

/** A failed etcd call: gRPC's status code and etcd's message ("etcdserver: ..."). */
export class EtcdError extends StorageError {
  constructor(
    readonly code: number,
    readonly details: string,
    message: string,
  ) {
    super(message);
    this.name = 'EtcdError';
  }
}

type Ctor = grpc.ServiceClientConstructor;
let services: { kv: Ctor; watch: Ctor; maintenance: Ctor; cluster: Ctor } | undefined;
function loadServices() {
  if (services) return services;
  const root = protobuf.parse(etcdProto, { keepCase: false }).root.toJSON();
  type Pkg = { etcdserverpb: { KV: Ctor; Watch: Ctor; Maintenance: Ctor; Cluster: Ctor } };
  const load = (longs: typeof Number | typeof String) => (grpc.loadPackageDefinition(protoLoader.fromJSON(root, { longs, enums: String, defaults: true, oneofs: true })) as unknown as Pkg).etcdserverpb;
  const pkg = load(Number);
  // Member IDs are random 64-bit numbers, which a JavaScript number cannot hold: strings there.
  services = { kv: pkg.KV, watch: pkg.Watch, maintenance: pkg.Maintenance, cluster: load(String).Cluster };
  return services;
}

type Unary = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;
export type WatchStream = grpc.ClientDuplexStream<unknown, PbWatchResponse>;

interface Endpoint {
  url: string;
  channel: grpc.Channel;
  kv: grpc.Client;
  watch: grpc.Client;
  maintenance: grpc.Client;
  cluster: grpc.Client;
}

const READ_RETRY_CODES = new Set([grpc.status.UNAVAILABLE]);
/** Failures that prove the request was not applied, so even a write may be sent again. */
const notApplied = (e: grpc.ServiceError): boolean => e.code === grpc.status.UNAVAILABLE && /No connection established|ECONNREFUSED|etcdserver: no leader/.test(e.details ?? '');

export class EtcdClient {
  readonly endpoints: readonly string[];
  private readonly eps: Endpoint[];
  private current = 0;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(opts: EtcdClientOptions) {
    if (!opts.endpoints.length) throw new StorageError('no etcd endpoint given');
    const s = loadServices();
    this.timeoutMs = opts.callTimeoutMs ?? 10_000;
    this.eps = opts.endpoints.map((raw) => {
      const ep = parseEtcdEndpoint(raw);
      const tls = opts.tls ?? {};
      const buf = (pem?: string) => (pem ? Buffer.from(pem) : null);
      // An IP address may not be sent as TLS server name (RFC 6066; Node warns, DEP0123): for an IP
      // the name sent is a placeholder and the certificate is still checked against the IP.
      const ip = hostOf(ep.target);
      const byIp = ep.secure && isIP(ip) !== 0;
      const verify = byIp ? { checkServerIdentity: (_name: string, cert: PeerCertificate) => checkServerIdentity(ip, cert) } : undefined;
      const creds = ep.secure ? grpc.credentials.createSsl(buf(tls.caPem), buf(tls.keyPem), buf(tls.certPem), verify) : grpc.credentials.createInsecure();
      const channel = new grpc.Channel(ep.target, creds, {
        ...(byIp ? { 'grpc.ssl_target_name_override': 'etcd.invalid' } : {}),
        'grpc.max_receive_message_length': -1, // a list of every pod can be large; etcd bounds requests itself
        'grpc.keepalive_time_ms': 30_000, // as upstream's apiserver: notice a dead member on an idle watch
        'grpc.keepalive_timeout_ms': 10_000,
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 2_000,
      });
      const mk = (C: Ctor) => new C(ep.target, creds, { channelOverride: channel });
      return { url: ep.url, channel, kv: mk(s.kv), watch: mk(s.watch), maintenance: mk(s.maintenance), cluster: mk(s.cluster) };
    });
    this.endpoints = this.eps.map((e) => e.url);
  }

  range(req: PbRangeRequest): Promise<PbRangeResponse> {
    return this.unary('kv', 'Range', req, true);
  }
  txn(req: PbTxnRequest): Promise<PbTxnResponse> {
    return this.unary('kv', 'Txn', req, false);
  }
  deleteRange(req: { key: Buffer; prevKv?: boolean }): Promise<PbDeleteRangeResponse> {
    return this.unary('kv', 'DeleteRange', req, false);
  }
  async compact(revision: number): Promise<void> {
    await this.unary('kv', 'Compact', { revision, physical: false }, false);
  }
  /** The status of the endpoint calls currently go to (its etcd version, leader, errors). */
  status(): Promise<PbStatusResponse & { endpoint: string }> {
    return this.unary<PbStatusResponse>('maintenance', 'Status', {}, true).then((r) => ({ ...r, endpoint: this.eps[this.current]!.url }));
  }

  /** Adds a voting member with these peer URLs; the answer lists every member (the new one unstarted). */
  memberAdd(peerURLs: string[]): Promise<PbMemberAddResponse> {
    return this.unary('cluster', 'MemberAdd', { peerURLs, isLearner: false }, false);
  }
  async memberList(): Promise<PbMember[]> {
    return (await this.unary<{ members: PbMember[] }>('cluster', 'MemberList', {}, true)).members;
  }
  async memberRemove(id: string): Promise<void> {
    await this.unary('cluster', 'MemberRemove', { ID: id }, false);
  }

  /**
   * Streams a snapshot of the current endpoint's database (etcd's Maintenance.Snapshot): the
   * chunks as they come, the last one etcd's SHA-256 of the others (see storage/etcd-snapshot-stream.ts).
   * No deadline: a large database takes long; abort with `signal`.
   */
  async *snapshot(signal?: AbortSignal): AsyncGenerator<PbSnapshotResponse> {
    if (this.closed) throw new StorageError('etcd client is closed');
    const ep = this.eps[this.current]!;
    const call = (ep.maintenance as unknown as { Snapshot(req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions): grpc.ClientReadableStream<PbSnapshotResponse> }).Snapshot({}, new grpc.Metadata(), {});
    const cancel = () => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const chunk of call) yield chunk as PbSnapshotResponse;
    } catch (e) {
      const err = e as grpc.ServiceError;
      if (signal?.aborted) throw signal.reason ?? new StorageError('snapshot aborted');
      throw this.error('Snapshot', new Map([[ep.url, err]]));
    } finally {
      signal?.removeEventListener('abort', cancel);
      call.cancel();
    }
  }

  /** Opens a Watch stream on the current endpoint (the caller sends create/cancel requests). */
  openWatch(): { stream: WatchStream; endpoint: string; failed: () => void } {
    if (this.closed) throw new StorageError('etcd client is closed');
    const i = this.current;
    const ep = this.eps[i]!;
    const stream = (ep.watch as unknown as { Watch(meta: grpc.Metadata, opts: grpc.CallOptions): WatchStream }).Watch(leaderMetadata(), {});
    return { stream, endpoint: ep.url, failed: () => this.rotate(i) };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ep of this.eps) {
      ep.kv.close();
      ep.watch.close();
      ep.maintenance.close();
      ep.cluster.close();
      ep.channel.close();
    }
  }

  /** Moves calls to the next endpoint after a failure on endpoint `i` (unless another did already). */
  private rotate(i: number): void {
    if (this.current === i) this.current = (i + 1) % this.eps.length;
  }

  private async unary<T>(service: 'kv' | 'maintenance' | 'cluster', method: string, req: unknown, idempotent: boolean): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    /** The last failure seen on each endpoint tried, for an error that names them all. */
    const failures = new Map<string, grpc.ServiceError>();
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new StorageError('etcd client is closed');
      const i = this.current;
      const ep = this.eps[i]!;
      try {
        return await new Promise<T>((resolve, reject) => {
          (ep[service] as unknown as Record<string, Unary>)[method]!(req, leaderMetadata(), { deadline }, (err, res) => (err ? reject(err) : resolve(res as T)));
        });
      } catch (e) {
        const err = e as grpc.ServiceError;
        failures.delete(ep.url);
        failures.set(ep.url, err);
        const retry = (idempotent && READ_RETRY_CODES.has(err.code)) || notApplied(err);
        if (retry) this.rotate(i);
        const pause = Math.min(50 * 2 ** Math.min(attempt, 4), 500);
        if (!retry || Date.now() + pause >= deadline || this.closed) throw this.error(method, failures);
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  /** The error for a call that failed on the endpoints in `failures` (the last one decides the kind). */
  private error(method: string, failures: Map<string, grpc.ServiceError>): EtcdError {
    const entries = [...failures];
    const [url, err] = entries[entries.length - 1]!;
    const text = (e: grpc.ServiceError) => (e.details || e.message).replace(/\.? Resolution note: ?$/, '');
    const details = text(err);
    const where = entries.length > 1 ? entries.map(([u]) => u).join(', ') : url;
    const why = entries.length > 1 ? entries.map(([u, e]) => `${u}: ${text(e)}`).join('; ') : details;
    if (err.code === grpc.status.DEADLINE_EXCEEDED && entries.length === 1) return new EtcdError(err.code, details, `etcd at ${url} did not answer ${method} within ${this.timeoutMs} ms`);
    if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED) return new EtcdError(err.code, details, `etcd at ${where} is unavailable: ${why}`);
    return new EtcdError(err.code, details, `etcd at ${url}: ${method}: ${details}`);
  }
}

function leaderMetadata(): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('hasleader', 'true');
  return m;
}

/** The host of `host:port` or `[v6]:port`, without brackets. */
function hostOf(target: string): string {
  const m = /^\[(.+)\]:\d+$/.exec(target) ?? /^(.+):\d+$/.exec(target);
  return m ? m[1]! : target;
}
