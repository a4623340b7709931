// The ingress controller: caches IngressClasses, Ingresses, Services, EndpointSlices and Secrets
// through informers and publishes the node's IP in the status of the Ingresses it serves. Two data
// planes: nginx (Debian's package; see docs/dependencies.md for why), configured from the cache
// and reloaded on changes (nginx-plane.ts), or, where nginx is not installed, the built-in Node
// proxy, which routes each request from the cache (matchRequest → resolveBackend → round robin)
// and picks TLS certificates per SNI name. Stops everything on abort.
import { createSecureContext } from 'node:tls';
import { serverTlsOptions } from '../util/tls.js';
import type { SecureContext } from 'node:tls';
import type { KObject } from '../api/types.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from '../client/rest-client.js';
import { Informer, objectKey } from '../client/informer.js';
import { Controller } from '../client/controller.js';
import { byAge, matchRequest, normalizeHost } from './match.js';
import type { Ingress, IngressBackend } from './match.js';
import { isOurs, INGRESS_CONTROLLER } from './ingress-class.js';
import type { IngressClass } from './ingress-class.js';
import { resolveBackend, RoundRobin, SERVICE_NAME_LABEL } from './endpoints.js';
import type { EndpointSlice, Service } from './endpoints.js';
import { secretForServerName, sslRedirect } from './tls-select.js';
import { selfSignedDefaultCert } from './default-cert.js';
import { startListeners } from './listeners.js';
import { startNginxPlane } from './nginx-plane.js';
import { findNginx } from './nginx-process.js';
import { freePort } from '../util/listen.js';
import type { Decision } from './proxy.js';
import { statusReconciler } from './status.js';

export interface IngressControllerConfig {
  /** Published in status.loadBalancer.ingress. */
  nodeIp: string;
  bindAddress: string;
  /** 0 = a random free port (tests). */
  httpPort: number;
  httpsPort: number;
  controllerName?: string;
  /** `nginx` (needs the binary), `builtin` (the Node proxy), or `auto`: nginx when installed. */
  dataPlane?: 'auto' | 'nginx' | 'builtin';
  /** Where the nginx data plane keeps its config, certificates and pid file. */
  stateDir?: string;
}

export interface RunningIngressController {
  httpPort: number;
  httpsPort: number;
  done: Promise<void>;
}

type Secret = KObject & { type?: string; data?: Record<string, string> };

export async function runIngressController(cfg: IngressControllerConfig, client: RestClient, log: Logger, signal: AbortSignal): Promise<RunningIngressController> {
  const controller = cfg.controllerName ?? INGRESS_CONTROLLER;
  const onError = (m: string) => log.debug(`informer: ${m}`);
  const classes = new Informer<IngressClass>(client, { group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses', onError });
  const ingresses = new Informer<Ingress>(client, { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', onError });
  const services = new Informer<Service>(client, { group: '', version: 'v1', resource: 'services', onError });
  const slices = new Informer<EndpointSlice>(client, { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', onError });
  const secrets = new Informer<Secret>(client, { group: '', version: 'v1', resource: 'secrets', onError });
  const informers = [classes, ingresses, services, slices, secrets];

  const ours = (i: Ingress) => isOurs(i, classes.list(), controller);
  // The served Ingresses, oldest first, rebuilt after a change rather than on every request.
  let servedCache: Ingress[] | undefined;
  const invalidate = () => (servedCache = undefined);
  ingresses.addHandler({ onAdd: invalidate, onUpdate: invalidate, onDelete: invalidate });
  classes.addHandler({ onAdd: invalidate, onUpdate: invalidate, onDelete: invalidate });
  const served = () => (servedCache ??= ingresses.list().filter(ours).sort(byAge));
  const rr = new RoundRobin();

  let httpsPort = cfg.httpsPort;
  const decide = (host: string | undefined, path: string, scheme: 'http' | 'https'): Decision => {
    const m = matchRequest(served(), host, path);
    if (!m) return { ok: false, status: 404, reason: 'no rule matched' };
    if (scheme === 'http' && sslRedirect(m.ingress, host)) return { ok: false, status: 308, reason: 'ssl-redirect', redirect: `https://${normalizeHost(host)}${httpsPort === 443 ? '' : `:${httpsPort}`}` };
    const ns = m.ingress.metadata.namespace ?? 'default';
    const svc = m.backend.service;
    if (!svc) return { ok: false, status: 500, reason: `${objectKey(m.ingress)}: resource backends are not supported` };
    const sl = slices.list(ns).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.name);
    const r = resolveBackend(svc, services.get(ns, svc.name), sl);
    if (!r.ok) return { ok: false, status: r.status, reason: `${objectKey(m.ingress)}: ${r.reason}` };
    const key = `${ns}/${svc.name}:${svc.port.name ?? svc.port.number}`;
    return { ok: true, targets: rr.order(key, r.targets), route: `${objectKey(m.ingress)} ${m.route}` };
  };

  // Secure contexts are cached per Secret version: building one parses the key each time.
  const contexts = new Map<string, { rv: string; ctx: SecureContext }>();
  const contextFor = (serverName: string): SecureContext | undefined => {
    const ref = secretForServerName(served(), serverName);
    if (!ref) return undefined;
    const s = secrets.get(ref.namespace, ref.name);
    const crt = s?.data?.['tls.crt'];
    const key = s?.data?.['tls.key'];
    if (!s || !crt || !key) {
      log.warn(`TLS for ${serverName}: secret ${ref.namespace}/${ref.name} is missing or has no tls.crt/tls.key; serving the default certificate`);
      return undefined;
    }
    const id = `${ref.namespace}/${ref.name}`;
    const rv = s.metadata.resourceVersion ?? '';
    const hit = contexts.get(id);
    if (hit && hit.rv === rv) return hit.ctx;
    const ctx = createSecureContext({ ...serverTlsOptions, cert: Buffer.from(crt, 'base64'), key: Buffer.from(key, 'base64') });
    contexts.set(id, { rv, ctx });
    return ctx;
  };

  const nginxBin = cfg.dataPlane === 'builtin' ? undefined : findNginx();
  if (cfg.dataPlane === 'nginx' && !nginxBin) throw new Error('nginx not found: install Debian\'s nginx-light (or choose the built-in proxy)');
  let plane: { httpPort: number; httpsPort: number; closed: Promise<void>; kind: string };
  let running: Promise<void>[];
  if (nginxBin) {
    if (!cfg.stateDir) throw new Error('the nginx data plane needs a state directory');
    // nginx needs real port numbers: 0 (tests) means a free one, chosen here.
    const ports = { http: cfg.httpPort || (await freePort(cfg.bindAddress)), https: cfg.httpsPort || (await freePort(cfg.bindAddress)) };
    httpsPort = ports.https;
    running = informers.map((i) => i.run(signal));
    await Promise.all(informers.map((i) => i.waitForSync()));
    const resolve = (ing: Ingress, backend: IngressBackend) => {
      const ns = ing.metadata.namespace ?? 'default';
      const svc = backend.service;
      if (!svc) return { ok: false as const, status: 500, reason: `${objectKey(ing)}: resource backends are not supported` };
      const r = resolveBackend(svc, services.get(ns, svc.name), slices.list(ns).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.name));
      if (!r.ok) return { ok: false as const, status: r.status, reason: `${objectKey(ing)}: ${r.reason}` };
      return { ok: true as const, key: `${ns}/${svc.name}:${svc.port.name ?? svc.port.number}`, targets: r.targets };
    };
    const np = await startNginxPlane({ binary: nginxBin, dir: cfg.stateDir, bindAddress: cfg.bindAddress, httpPort: ports.http, httpsPort: ports.https, defaultCert: selfSignedDefaultCert(), served, resolve, secret: (ref) => secrets.get(ref.namespace, ref.name), log }, signal);
    for (const inf of informers as Informer<KObject>[]) inf.addHandler({ onAdd: np.changed, onUpdate: np.changed, onDelete: np.changed });
    plane = { httpPort: ports.http, httpsPort: ports.https, closed: np.done, kind: `nginx (${nginxBin})` };
  } else {
    // Listen first: a port in use fails the start before anything else runs.
    const listeners = await startListeners({ bindAddress: cfg.bindAddress, httpPort: cfg.httpPort, httpsPort: cfg.httpsPort, decide, defaultCert: selfSignedDefaultCert(), contextFor, onError: (m) => log.warn(m) }, signal);
    httpsPort = listeners.httpsPort;
    running = informers.map((i) => i.run(signal));
    plane = { ...listeners, kind: cfg.dataPlane === 'builtin' ? 'the built-in proxy' : 'the built-in proxy (nginx is not installed)' };
  }
  const status = new Controller({ name: 'ingress-status', log, workers: 1 }, statusReconciler({ client, ingresses, isOurs: ours, nodeIp: cfg.nodeIp }));
  ingresses.addHandler({ onAdd: (i) => status.enqueue(objectKey(i)), onUpdate: (_o, i) => status.enqueue(objectKey(i)) });
  const all = () => ingresses.list().forEach((i) => status.enqueue(objectKey(i)));
  classes.addHandler({ onAdd: all, onUpdate: all, onDelete: all });
  const statusDone = status.run(signal);
  log.info(`ingress controller ${controller} listening on http port ${plane.httpPort} and https port ${plane.httpsPort}; data plane: ${plane.kind}`);
  const done = (async () => {
    await Promise.allSettled([...running, statusDone, plane.closed]);
  })();
  return { httpPort: plane.httpPort, httpsPort: plane.httpsPort, done };
}
