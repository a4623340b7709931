// The pods/log, pods/exec, pods/attach and pods/portforward subresources: look the pod up,
// validate the options as upstream, find the pod's kubelet and proxy the request to it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError, badRequest, methodNotAllowed } from '../../api/errors.js';
import type { Store } from '../registry/store.js';
import type { RequestInfo } from '../request-info.js';
import { execQuery, logQuery, parseExecOptions, parseLogOptions, portForwardQuery } from './options.js';
import { kubeletEndpoint, nodeNameOf, resolveContainer } from './location.js';
import { proxyLog, proxyUpgrade } from './proxy.js';
import type { KubeletClientConfig } from './proxy.js';

export const POD_STREAM_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward']);

export interface PodStreamDeps {
  pods: Store;
  nodes: Store;
  kubelet?: KubeletClientConfig;
}

export function isPodStreamRequest(ri: RequestInfo): boolean {
  return ri.isResourceRequest && ri.group === '' && ri.version === 'v1' && ri.resource === 'pods' && !!ri.namespace && !!ri.name && POD_STREAM_SUBRESOURCES.has(ri.subresource);
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

interface Target {
  /** Path and query on the kubelet. */
  path: string;
  skipVerify: boolean;
}

/** Validates the request and works out the kubelet path; undefined = the pod has no node (logs: empty reply). */
async function target(ri: RequestInfo, query: URLSearchParams, deps: PodStreamDeps): Promise<Target | undefined> {
  const pod = await deps.pods.get(ri.namespace, ri.name);
  const ns = seg(ri.namespace);
  const name = seg(ri.name);
  let path: string;
  let skipVerify = false;
  switch (ri.subresource) {
    case 'log': {
      const o = parseLogOptions(query, ri.name);
      const container = resolveContainer(pod, o.container);
      if (!nodeNameOf(pod)) return undefined;
      skipVerify = o.insecureSkipTLSVerifyBackend;
      const q = logQuery(o).toString();
      path = `/containerLogs/${ns}/${name}/${seg(container)}${q ? `?${q}` : ''}`;
      break;
    }
    case 'exec':
    case 'attach': {
      const exec = ri.subresource === 'exec';
      const o = parseExecOptions(query, exec);
      const container = resolveContainer(pod, o.container);
      if (!nodeNameOf(pod)) throw badRequest(`pod ${ri.name} does not have a host assigned`);
      path = `/${ri.subresource}/${ns}/${name}/${seg(container)}?${execQuery(o, exec).toString()}`;
      break;
    }
    default: {
      const q = portForwardQuery(query).toString();
      if (!nodeNameOf(pod)) throw badRequest(`pod ${ri.name} does not have a host assigned`);
      path = `/portForward/${ns}/${name}${q ? `?${q}` : ''}`;
    }
  }
  return { path, skipVerify };
}

function kubeletConfig(deps: PodStreamDeps): KubeletClientConfig {
  if (!deps.kubelet) throw new StatusError(503, 'ServiceUnavailable', 'the API server has no kubelet client credentials configured');
  return deps.kubelet;
}

/** A plain (non-upgrade) request for a pod streaming subresource. */
export async function servePodStream(req: IncomingMessage, res: ServerResponse, ri: RequestInfo, query: URLSearchParams, deps: PodStreamDeps): Promise<void> {
  const method = req.method ?? 'GET';
  if (ri.subresource === 'log') {
    if (method !== 'GET') throw methodNotAllowed('the server does not allow this method on the requested resource');
    const t = await target(ri, query, deps);
    if (!t) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
      res.end();
      return;
    }
    const cfg = kubeletConfig(deps);
    const ep = await kubeletEndpoint(deps.nodes, nodeNameOf(await deps.pods.get(ri.namespace, ri.name)), cfg.defaultPort);
    return proxyLog(cfg, ep, t.path, t.skipVerify, res);
  }
  if (method !== 'GET' && method !== 'POST') throw methodNotAllowed('the server does not allow this method on the requested resource');
  await target(ri, query, deps);
  throw badRequest('Upgrade request required');
}

/** An HTTP/1.1 Upgrade for exec, attach or port-forward: validated, then tunnelled to the kubelet. */
export async function upgradePodStream(req: IncomingMessage, socket: Duplex, head: Buffer, ri: RequestInfo, query: URLSearchParams, deps: PodStreamDeps): Promise<void> {
  const method = req.method ?? 'GET';
  if (ri.subresource === 'log' || (method !== 'GET' && method !== 'POST')) throw methodNotAllowed('the server does not allow this method on the requested resource');
  const t = (await target(ri, query, deps))!;
  const cfg = kubeletConfig(deps);
  const pod = await deps.pods.get(ri.namespace, ri.name);
  const ep = await kubeletEndpoint(deps.nodes, nodeNameOf(pod), cfg.defaultPort);
  await proxyUpgrade(cfg, ep, t.path, req, socket, head);
}

/** Writes a Status error as a raw HTTP/1.1 response on a socket that was asking to upgrade. */
export function writeUpgradeError(socket: Duplex, err: unknown): void {
  const se = err instanceof StatusError ? err : new StatusError(500, 'InternalError', 'Internal error occurred: an internal error occurred; see the server log');
  const body = JSON.stringify(se.toStatus());
  const reason = se.code === 400 ? 'Bad Request' : se.code === 404 ? 'Not Found' : se.code === 401 ? 'Unauthorized' : se.code === 403 ? 'Forbidden' : 'Error';
  socket.end(`HTTP/1.1 ${se.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
