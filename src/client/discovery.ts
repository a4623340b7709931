// Discovers the namespaced resources the server serves right now (built-in and custom), through
// legacy discovery: /api/v1, then /apis and each group's preferred version.
import type { RestClient } from './rest-client.js';

export interface DiscoveredResource {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  verbs: string[];
}

interface ResourceList {
  resources: { name: string; namespaced: boolean; verbs: string[] }[];
}

export async function discoverResources(client: RestClient): Promise<DiscoveredResource[]> {
  const out: DiscoveredResource[] = [];
  const add = (group: string, version: string, list: ResourceList) => {
    for (const r of list.resources) {
      if (r.name.includes('/')) continue;
      out.push({ group, version, resource: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] });
    }
  };
  add('', 'v1', await client.get<ResourceList>('/api/v1'));
  const groups = await client.get<{ groups: { name: string; preferredVersion?: { version: string } }[] }>('/apis');
  await Promise.all(
    groups.groups.map(async (g) => {
      const v = g.preferredVersion?.version;
      if (!v) return;
      try {
        add(g.name, v, await client.get<ResourceList>(`/apis/${g.name}/${v}`));
      } catch {
        // A group that went away between the two calls (a CRD deleted) is skipped.
      }
    }),
  );
  return out;
}
