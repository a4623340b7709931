// Discovery documents: legacy (/api, /apis, APIResourceList per group-version) and aggregated
// (apidiscovery.k8s.io v2 and v2beta1), built from the resource list.
import type { ResourceInfo } from '../api/resources.js';
import { ALL_VERBS } from '../api/resources.js';

interface GroupVersions {
  group: string;
  versions: string[];
}

export class Discovery {
  private groups: GroupVersions[] = [];
  constructor(private readonly resources: ResourceInfo[]) {
    this.refresh();
  }

  /** Recomputes the groups after the resource list changed (custom resources came or went). */
  refresh(): void {
    const order: string[] = [];
    const byGroup = new Map<string, string[]>();
    for (const r of this.resources) {
      if (!byGroup.has(r.group)) {
        byGroup.set(r.group, []);
        order.push(r.group);
      }
      const vs = byGroup.get(r.group)!;
      for (const v of r.versions) if (!vs.includes(v.version)) vs.push(v.version);
    }
    this.groups = order.map((g) => ({ group: g, versions: byGroup.get(g)! }));
  }

  groupVersions(): { group: string; version: string }[] {
    return this.groups.flatMap((g) => g.versions.map((v) => ({ group: g.group, version: v })));
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.groups.some((g) => g.group === group && g.versions.includes(version));
  }

  apiVersions(serverAddress: string): object {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }

  apiGroupList(): object {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups.filter((g) => g.group !== '').map((g) => this.apiGroup(g)) };
  }

  apiGroup(g: GroupVersions | string): object | undefined {
    const gv = typeof g === 'string' ? this.groups.find((x) => x.group === g) : g;
    if (!gv || gv.group === '') return undefined;
    const versions = gv.versions.map((v) => ({ groupVersion: `${gv.group}/${v}`, version: v }));
    return { kind: 'APIGroup', apiVersion: 'v1', name: gv.group, versions, preferredVersion: versions[0] };
  }

  resourceList(group: string, version: string): object | undefined {
    if (!this.hasGroupVersion(group, version)) return undefined;
    const out: object[] = [];
    for (const r of this.resources) {
      if (r.group !== group || !r.versions.some((v) => v.version === version)) continue;
      const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs ?? ALL_VERBS };
      if (r.shortNames) entry.shortNames = r.shortNames;
      if (r.categories) entry.categories = r.categories;
      entry.storageVersionHash = storageHash(r);
      out.push(entry);
      for (const sub of r.subresources ?? []) {
        const s = subresourceInfo(r, sub);
        const e: Record<string, unknown> = { name: `${r.resource}/${sub}`, singularName: '', namespaced: r.namespaced, kind: s.kind.kind, verbs: s.verbs };
        if (s.kind.group !== r.group || s.kind.version !== version) {
          e.group = s.kind.group;
          e.version = s.kind.version;
        }
        out.push(e);
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: out };
  }

  /** Aggregated discovery for /api (core) or /apis (the rest). */
  aggregated(core: boolean, apiVersion: 'apidiscovery.k8s.io/v2' | 'apidiscovery.k8s.io/v2beta1'): object {
    const items = this.groups
      .filter((g) => (core ? g.group === '' : g.group !== ''))
      .map((g) => ({
        metadata: { name: g.group, creationTimestamp: null },
        versions: g.versions.map((v) => ({
          version: v,
          resources: this.resources
            .filter((r) => r.group === g.group && r.versions.some((x) => x.version === v))
            .map((r) => {
              const e: Record<string, unknown> = {
                resource: r.resource,
                responseKind: { group: r.group, version: v, kind: r.kind },
                scope: r.namespaced ? 'Namespaced' : 'Cluster',
                singularResource: r.singular,
                verbs: r.verbs ?? ALL_VERBS,
              };
              if (r.shortNames) e.shortNames = r.shortNames;
              if (r.categories) e.categories = r.categories;
              if (r.subresources?.length) {
                e.subresources = r.subresources.map((sub) => {
                  const s = subresourceInfo(r, sub);
                  const out: Record<string, unknown> = { subresource: sub, verbs: s.verbs };
                  if (s.kind.kind) out.responseKind = s.kind.group === r.group ? { ...s.kind, version: s.kind.version || v } : s.kind;
                  return out;
                });
              }
              return e;
            }),
          freshness: 'Current',
        })),
      }));
    return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
  }
}

interface SubInfo {
  kind: { group: string; version: string; kind: string };
  verbs: string[];
}

function subresourceInfo(r: ResourceInfo, sub: string): SubInfo {
  const v = r.versions[0]!.version;
  switch (sub) {
    case 'status':
      return { kind: { group: r.group, version: v, kind: r.kind }, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] };
    case 'eviction':
      return { kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] };
    case 'token':
      return { kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] };
    case 'finalize':
      return { kind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['update'] };
    case 'ephemeralcontainers':
    case 'resize':
      return { kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] };
    case 'log':
      return { kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] };
    case 'exec':
    case 'attach':
    case 'portforward':
      return { kind: { group: '', version: 'v1', kind: 'PodExecOptions'.replace('Exec', sub === 'portforward' ? 'PortForward' : sub === 'attach' ? 'Attach' : 'Exec') }, verbs: ['create', 'get'] };
    case 'proxy':
      return { kind: { group: '', version: 'v1', kind: `${r.kind}ProxyOptions` }, verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    default:
      return { kind: { group: r.group, version: v, kind: r.kind }, verbs: ['get'] };
  }
}

function storageHash(r: ResourceInfo): string {
  let h = 0;
  for (const c of `${r.group}/${r.versions[0]!.version}/${r.kind}`) h = (h * 31 + c.charCodeAt(0)) | 0;
  return Buffer.from(String(h >>> 0)).toString('base64').slice(0, 11);
}
