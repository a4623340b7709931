// Parses a request path into what it addresses: API group/version, namespace, resource, name,
// subresource, and the Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection).

export interface RequestInfo {
  /** True for /api and /apis paths; false for /version, /healthz, /openapi and so on. */
  isResourceRequest: boolean;
  /** 'api' (core) or 'apis'. */
  prefix: 'api' | 'apis' | '';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  verb: string;
  /** Path segments after the prefix (for discovery and errors). */
  parts: string[];
}

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const segs = path.split('/').filter((s) => s.length > 0).map(safeDecode);
  const info: RequestInfo = { isResourceRequest: false, prefix: '', group: '', version: '', namespace: '', resource: '', name: '', subresource: '', verb: '', parts: segs };
  if (segs[0] !== 'api' && segs[0] !== 'apis') return info;
  info.prefix = segs[0];
  let rest: string[];
  if (segs[0] === 'api') {
    info.version = segs[1] ?? '';
    rest = segs.slice(2);
  } else {
    info.group = segs[1] ?? '';
    info.version = segs[2] ?? '';
    rest = segs.slice(3);
  }
  if (!info.version || rest.length === 0) return info;
  info.isResourceRequest = true;
  // Deprecated /watch/ prefix: /api/v1/watch/namespaces/x/pods
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    info.namespace = rest[1]!;
    rest = rest.slice(2);
    info.resource = rest[0]!;
    info.name = rest[1] ?? '';
    info.subresource = rest.slice(2).join('/');
  } else if (rest[0] === 'namespaces') {
    // /api/v1/namespaces or /api/v1/namespaces/{name}
    info.resource = 'namespaces';
    info.name = rest[1] ?? '';
  } else {
    info.resource = rest[0]!;
    info.name = rest[1] ?? '';
    info.subresource = rest.slice(2).join('/');
  }
  // /api/v1/namespaces/{name}/status and /finalize are subresources of the namespace itself.
  if (info.resource !== 'namespaces' && info.namespace && rest.length === 1 && (rest[0] === 'status' || rest[0] === 'finalize')) {
    info.resource = 'namespaces';
    info.name = info.namespace;
    info.subresource = rest[0]!;
    info.namespace = '';
  }
  const m = method.toUpperCase();
  const isWatch = watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1';
  if (info.name) {
    info.verb = m === 'GET' || m === 'HEAD' ? (isWatch ? 'watch' : 'get') : m === 'PUT' ? 'update' : m === 'PATCH' ? 'patch' : m === 'DELETE' ? 'delete' : m === 'POST' ? 'create' : '';
  } else {
    info.verb = m === 'GET' || m === 'HEAD' ? (isWatch ? 'watch' : 'list') : m === 'POST' ? 'create' : m === 'DELETE' ? 'deletecollection' : m === 'PUT' ? 'update' : m === 'PATCH' ? 'patch' : '';
  }
  return info;
}

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
