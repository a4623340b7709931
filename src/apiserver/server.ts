// The API server: an HTTPS server whose handler authenticates, routes non-resource paths
// (version, health, discovery, OpenAPI) and hands resource requests to the resource handler.
import { listenUntilAborted } from '../util/listen.js';
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { setMaxListeners } from 'node:events';
import type { Backend } from '../storage/backend.js';
import type { KObject } from '../api/types.js';
import { builtinResources } from '../api/resources.js';
import type { ResourceInfo } from '../api/resources.js';
import { StatusError, unauthorized } from '../api/errors.js';
import type { Logger } from '../util/log.js';
import { parseRequestInfo } from './request-info.js';
import { Discovery } from './discovery.js';
import { FairQueue } from './flow-control.js';
import { openapiV2Served, openapiV3Index, openapiV3Path } from './openapi.js';
import { writeError, writeJson } from './respond.js';
import { handleResource, storeKey } from './resource-handler.js';
import { Store } from './registry/store.js';
import type { RequestContext } from './registry/store.js';
import { WatchCache } from './watch-cache.js';
import { StorageLock } from './cluster-lock.js';
import { authenticateRequest, authenticateToken, isPublicPath } from './authn.js';
import { Authorization } from './authz/authorization.js';
import { ANONYMOUS, impersonate, requestAttributes } from './authz/request.js';
import { isReviewRequest, serveReview } from './authz/reviews.js';
import { resourceAttributes } from './authz/types.js';
import type { TokenEntry } from './authn.js';
import { BootstrapTokenAuthenticator, chainTokenAuthenticators } from './bootstrap-token-authn.js';
import { buildHooks } from './hooks.js';
import { ServiceAccountTokens, type ServiceAccountKey } from './service-account-tokens.js';
import { IpAllocator, PortAllocator, ServiceAllocations } from './allocators.js';
import { CrdController } from './crd/controller.js';
import { crdStoreHooks } from './crd/crd-store.js';
import { CustomOpenApi } from './crd/openapi.js';
import { CRD_GROUP, CRD_RESOURCE } from './crd/types.js';
import { isPodStreamRequest, servePodStream, upgradePodStream, writeUpgradeError } from './pod-stream/handler.js';
import type { PodStreamDeps } from './pod-stream/handler.js';
import type { KubeletClientConfig } from './pod-stream/proxy.js';
import type { UserInfo } from './authn.js';
import type { Auditor } from './audit/auditor.js';
import { configurePodSecurity } from './admission/pod-security/admission.js';
import type { PodSecurityConfig } from './admission/pod-security/config.js';
import { serverTlsOptions } from '../util/tls.js';

export interface ApiServerConfig {
  bindAddress: string;
  port: number;
  tls: { certPem: string; keyPem: string; clientCaPem: string };
  serviceCidr: string;
  nodePortRange: [number, number];
  tokens: TokenEntry[];
  version: VersionInfo;
  /** Signs and verifies service account tokens (TokenRequest); without it they are not served. */
  serviceAccountKey?: ServiceAccountKey;
  /** How the API server reaches kubelets for logs, exec, attach and port-forward. */
  kubeletClient?: KubeletClientConfig;
  /** Writes the audit log (--audit-log-path). */
  audit?: Auditor;
  /** PodSecurity defaults and exemptions (--pod-security-admission-config-file). */
  podSecurity?: PodSecurityConfig;
  /** Requests executing at once; the others wait in fair per-user queues (flow-control.ts). */
  maxRequestsInflight?: number;
  /** Other API servers may write the same datastore (etcd): steps that must not interleave lock in storage. */
  sharedDatastore?: boolean;
  /** Extra non-resource endpoints of the server (kts's /v1-kts/...); true when it answered. */
  extraRoutes?: (path: string, req: IncomingMessage, res: ServerResponse, user: UserInfo) => Promise<boolean>;
}

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export interface ApiServer {
  /** The bound port (useful with port 0). */
  port: number;
  stores: Map<string, Store>;
  allocations: ServiceAllocations;
  /** Who may do what (RBAC, Node authorizer), fed from the watch cache. */
  authorization: Authorization;
  /** The watch cache (server-side followers of changes subscribe to it). */
  cache: WatchCache;
  /** Resolves when the server has stopped (after the signal aborts). */
  done: Promise<void>;
  /** Serves a new certificate and key to new connections (certificate rotation without downtime). */
  reloadTls(certPem: string, keyPem: string): void;
}

export async function startApiServer(cfg: ApiServerConfig, backend: Backend, log: Logger, signal: AbortSignal): Promise<ApiServer> {
  // Every watch listens on the server's signal; thousands of watchers are normal, not a leak.
  setMaxListeners(0, signal);
  // Built-in resources plus custom ones, which the CRD controller adds and removes.
  const resources: ResourceInfo[] = [...builtinResources];
  const discovery = new Discovery(resources);
  const cache = new WatchCache(backend, undefined, undefined, (m) => log.warn(m));
  await cache.start(signal);
  const allocations = new ServiceAllocations(new IpAllocator(cfg.serviceCidr), new PortAllocator(cfg.nodePortRange[0], cfg.nodePortRange[1]));
  const stores = new Map<string, Store>();
  const lookupNamespace = async (name: string): Promise<KObject | undefined> => stores.get(storeKey('', 'namespaces'))!.getCached('', name);
  const authorization = new Authorization({ cache, backend });
  const clusterLock = cfg.sharedDatastore ? new StorageLock(backend) : undefined;
  // Under the cluster lock, what every stored Service holds is marked before allocating (the
  // watch may not have brought the last one stored by another server yet).
  const adoptStoredServices = async () => {
    for (const svc of (await stores.get(storeKey('', 'services'))!.list('', {})).items) allocations.adopt(svc);
  };
  const hooksFor = (info: ResourceInfo) => buildHooks(info, { allocations, lookupNamespace, stores, authorization, clusterLock, adoptStoredServices });
  for (const info of builtinResources) {
    const isCrd = info.group === CRD_GROUP && info.resource === CRD_RESOURCE;
    stores.set(storeKey(info.group, info.resource), new Store(info, backend, isCrd ? crdStoreHooks(hooksFor(info)) : hooksFor(info)));
  }
  stores.get(storeKey(CRD_GROUP, CRD_RESOURCE))!.strategy.tracksGeneration = true;
  for (const s of stores.values()) s.readCurrentFrom(cache);
  if (cfg.podSecurity) configurePodSecurity(stores, cfg.podSecurity);
  // Admission reads these on every create: memoised, dropped on any change.
  for (const key of ['/namespaces', '/serviceaccounts', '/limitranges', '/resourcequotas', 'scheduling.k8s.io/priorityclasses', 'policy/poddisruptionbudgets', 'admissionregistration.k8s.io/mutatingwebhookconfigurations', 'admissionregistration.k8s.io/validatingwebhookconfigurations', 'storage.k8s.io/storageclasses']) stores.get(key)?.trackChanges(cache);
  // Allocation state: the stored Services, then every change to them (other servers' too).
  await followServiceAllocations(stores.get(storeKey('', 'services'))!, cache, allocations, (m) => log.warn(m), signal);
  const builtinComponents = () => ((openapiV3Path('api/v1', builtinResources)?.document.components ?? {}) as { schemas?: Record<string, unknown> }).schemas ?? {};
  const customOpenApi = new CustomOpenApi(() => crds.servedCustom(), builtinComponents);
  const onResourcesChanged = () => {
    discovery.refresh();
    customOpenApi.invalidate();
  };
  const crds = new CrdController({ resources, onResourcesChanged, stores, cache, backend, hooksFor, log: (m) => log.warn(m) });
  await crds.start(signal);
  const saTokens = cfg.serviceAccountKey ? new ServiceAccountTokens(cfg.serviceAccountKey, stores) : undefined;
  // Bootstrap tokens are kube-system Secrets, read from a memo the watch cache invalidates.
  const secrets = stores.get(storeKey('', 'secrets'))!;
  secrets.trackChanges(cache);
  const tokenAuth = chainTokenAuthenticators(new BootstrapTokenAuthenticator(() => secrets.listCached('kube-system')), saTokens);
  await authorization.start(stores, cache, signal);
  const reviewDeps = { authorization, resources: builtinResources, authenticateToken: (t: string) => authenticateToken(t, cfg.tokens, tokenAuth) };

  const streamDeps: PodStreamDeps = { pods: stores.get(storeKey('', 'pods'))!, nodes: stores.get(storeKey('', 'nodes'))!, kubelet: cfg.kubeletClient };
  const flowControl = new FairQueue(cfg.maxRequestsInflight ?? 400);
  const serverAddress = `${cfg.bindAddress === '0.0.0.0' || cfg.bindAddress === '::' ? '127.0.0.1' : cfg.bindAddress}:${cfg.port}`;
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://kts');
    const path = url.pathname;
    const query = url.searchParams;
    const started = Date.now();
    const audit = cfg.audit?.begin(req, res);
    try {
      const authenticated = await authenticateRequest(req, cfg.tokens, tokenAuth);
      audit?.authenticated(authenticated);
      if (!authenticated && !isPublicPath(path)) {
        audit?.target(undefined, path);
        throw unauthorized();
      }
      const ri = parseRequestInfo(req.method ?? 'GET', path, query);
      audit?.target(ri, path);
      const user = authenticated ? await impersonate(authorization, authenticated, req) : ANONYMOUS;
      await authorization.check(requestAttributes(user, req.method ?? 'GET', path, ri, query));
      if (authenticated && cfg.extraRoutes && (await cfg.extraRoutes(path, req, res, user))) return;
      if (path === '/version' || path === '/version/') return writeJson(res, 200, cfg.version);
      if (path === '/healthz' || path === '/livez' || path === '/readyz' || /^\/(healthz|livez|readyz)\//.test(path)) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
        res.end('ok');
        return;
      }
      if (path === '/openapi/v2') return writeServed(req, res, openapiV2Served(builtinResources));
      if (path === '/openapi/v3' || path === '/openapi/v3/') return writeJson(res, 200, customOpenApi.index(openapiV3Index(builtinResources)));
      if (path.startsWith('/openapi/v3/')) {
        const p = path.slice('/openapi/v3/'.length);
        const served = openapiV3Path(p, builtinResources) ?? customOpenApi.document(p);
        if (!served) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
        return writeServed(req, res, served);
      }
      if (isReviewRequest(ri)) return await serveReview(req, res, ri, query, user, reviewDeps);
      if (isPodStreamRequest(ri)) return await servePodStream(req, res, ri, query, streamDeps);
      if (!ri.isResourceRequest) return serveDiscovery(req, res, ri.prefix, ri.group, ri.version, ri.parts, discovery, serverAddress);
      const ctx: RequestContext = { user, dryRun: false, warnings: [], auditAnnotations: audit?.annotations };
      // Watches hold their connection for minutes: they take no seat.
      const seat = ri.verb === 'watch' || user.groups.includes('system:masters') ? undefined : await flowControl.acquire(user.name);
      try {
        await handleResource(req, res, ri, query, ctx, { stores, cache, serviceAccountTokens: saTokens }, signal);
      } finally {
        seat?.();
      }
    } catch (err) {
      audit?.failed(err);
      writeError(res, err, (m) => log.error(m));
    } finally {
      const ms = Date.now() - started;
      if (ms > 1000 && !query.has('watch')) log.warn(`slow request: ${req.method} ${path} took ${ms} ms`);
    }
  };

  const server = createHttpsServer({ ...serverTlsOptions, cert: cfg.tls.certPem, key: cfg.tls.keyPem, ca: cfg.tls.clientCaPem, requestCert: true, rejectUnauthorized: false, keepAliveTimeout: 120_000 }, (req, res) => {
    handler(req, res).catch((err) => writeError(res, err, (m) => log.error(m)));
  });
  // exec, attach and port-forward arrive as HTTP/1.1 Upgrade requests and are tunnelled to the kubelet.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'https://kts');
    const audit = cfg.audit?.begin(req, socket);
    void (async () => {
      const authenticated = await authenticateRequest(req, cfg.tokens, tokenAuth);
      audit?.authenticated(authenticated);
      const ri = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      audit?.target(ri, url.pathname);
      if (!authenticated) throw unauthorized();
      const user = await impersonate(authorization, authenticated, req);
      await authorization.check(requestAttributes(user, req.method ?? 'GET', url.pathname, ri));
      if (!isPodStreamRequest(ri) || ri.subresource === 'log') throw new StatusError(400, 'BadRequest', 'upgrade requests are served only for pods/exec, pods/attach and pods/portforward');
      // A WebSocket GET runs commands: it also needs `create`, as upstream asks since v1.31.
      await authorization.check(resourceAttributes(user, 'create', { resource: 'pods', subresource: ri.subresource, namespace: ri.namespace, name: ri.name }));
      await upgradePodStream(req, socket, head, ri, url.searchParams, streamDeps);
    })().catch((err) => {
      audit?.failed(err);
      if (!(err instanceof StatusError)) log.error(`upgrade ${req.method} ${url.pathname}: ${(err as Error)?.stack ?? err}`);
      writeUpgradeError(socket, err);
    });
  });
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  server.on('clientError', (_err, socket) => socket.destroy());
  const { port, done } = await listenUntilAborted(server, cfg.port, cfg.bindAddress, signal);
  const reloadTls = (certPem: string, keyPem: string) => server.setSecureContext({ ...serverTlsOptions, cert: certPem, key: keyPem, ca: cfg.tls.clientCaPem });
  return { port, stores, allocations, authorization, cache, done, reloadTls };
}

function serveDiscovery(req: IncomingMessage, res: ServerResponse, prefix: string, group: string, version: string, parts: string[], d: Discovery, serverAddress: string): void {
  const accept = req.headers.accept ?? '';
  const aggregated = /g=apidiscovery\.k8s\.io;\s*v=v2;\s*as=APIGroupDiscoveryList/.test(accept.replace(/\s/g, '').replace(/;/g, ';')) ? 'v2' : /g=apidiscovery\.k8s\.io;v=v2beta1;as=APIGroupDiscoveryList/.test(accept.replace(/\s/g, '')) ? 'v2beta1' : undefined;
  if (prefix === 'api' && parts.length === 1) {
    if (aggregated) return writeAggregated(res, d.aggregated(true, `apidiscovery.k8s.io/${aggregated}`), aggregated);
    return writeJson(res, 200, d.apiVersions(serverAddress));
  }
  if (prefix === 'apis' && parts.length === 1) {
    if (aggregated) return writeAggregated(res, d.aggregated(false, `apidiscovery.k8s.io/${aggregated}`), aggregated);
    return writeJson(res, 200, d.apiGroupList());
  }
  if (prefix === 'apis' && parts.length === 2) {
    const g = d.apiGroup(group);
    if (g) return writeJson(res, 200, g);
  }
  if ((prefix === 'api' && parts.length === 2) || (prefix === 'apis' && parts.length === 3)) {
    const list = d.resourceList(group, version);
    if (list) return writeJson(res, 200, list);
  }
  throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
}

/** Serves a memoised OpenAPI document with its hash as ETag (clients cache by it). */
function writeServed(req: IncomingMessage, res: ServerResponse, served: { json: string; hash: string }): void {
  const etag = `"${served.hash}"`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(served.json), ETag: etag, 'Cache-Control': 'no-cache, private' });
  res.end(served.json);
}

function writeAggregated(res: ServerResponse, body: object, v: string): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`, 'Content-Length': Buffer.byteLength(text), Vary: 'Accept' });
  res.end(text);
}

/** Adopts what stored Services hold, then follows their changes; lists again if the watch cache starts over. */
async function followServiceAllocations(services: Store, cache: WatchCache, allocations: ServiceAllocations, warn: (m: string) => void, signal: AbortSignal): Promise<void> {
  const adoptAll = async () => {
    const list = await services.list('', {});
    allocations.clear();
    for (const svc of list.items) allocations.adopt(svc);
    return Number(list.metadata.resourceVersion);
  };
  const rev = await adoptAll();
  await cache.waitFor(rev);
  const sub = cache.subscribe(
    services.prefix,
    rev,
    (evs) => {
      for (const e of evs) allocations.follow(e.prevObject(), e.type === 'delete' ? undefined : e.object());
    },
    () => void adoptAll().catch((e) => warn(`service allocations: listing Services again: ${(e as Error).message}`)),
  );
  if (!sub) throw new Error('service allocations: the watch cache does not reach back to the Services list');
  for (const e of sub.replay) allocations.follow(e.prevObject(), e.type === 'delete' ? undefined : e.object());
  signal.addEventListener('abort', sub.cancel, { once: true });
}
