// Sorting a dependent's ownerReferences as upstream's classifyReferences does: solid (the owner
// exists and is not waiting for its dependents), dangling (the owner is gone, or the name now
// belongs to another uid), or waiting (the owner is being deleted in the foreground). An owner
// that is not in the graph is looked up live; absent owners are remembered briefly so that many
// dependents of one deleted owner cost one lookup.
import type { OwnerReference } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { EventRecorder } from '../../client/events.js';
import { FOREGROUND, isDeletingDependents, type Graph, type GraphNode } from './graph.js';
import { getObject } from './operations.js';

export interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waiting: OwnerReference[];
}

export type ResourceLookup = (apiVersion: string, kind: string) => { info: ResourceInfo; version: string } | undefined;

export function resourceLookup(resources: ResourceInfo[]): ResourceLookup {
  const byKind = new Map<string, ResourceInfo>();
  for (const r of resources) byKind.set(`${r.group}/${r.kind}`, r);
  return (apiVersion, kind) => {
    const i = apiVersion.indexOf('/');
    const group = i < 0 ? '' : apiVersion.slice(0, i);
    const version = i < 0 ? apiVersion : apiVersion.slice(i + 1);
    const info = byKind.get(`${group}/${kind}`);
    if (!info) return undefined;
    return { info, version: info.versions.some((v) => v.version === version) ? version : info.versions[0]!.version };
  };
}

const ABSENT_CACHE_MAX = 1024;

export class Classifier {
  /** `uid/namespace` of owners confirmed absent. */
  private readonly absent = new Set<string>();

  constructor(
    private readonly client: RestClient,
    private readonly graph: Graph,
    private readonly lookup: ResourceLookup,
    private readonly recorder: EventRecorder,
  ) {}

  /** Without network: true when every owner is in the graph (in the right namespace) and solid. */
  allSolidInGraph(item: GraphNode): boolean {
    return item.owners.every((r) => {
      const owner = this.graph.get(r.uid);
      return owner && this.sameScope(item, owner) && !isDeletingDependents(owner);
    });
  }

  async classify(item: GraphNode, refs: OwnerReference[]): Promise<Classified> {
    const out: Classified = { solid: [], dangling: [], waiting: [] };
    for (const ref of refs) out[await this.classifyOne(item, ref)].push(ref);
    return out;
  }

  private sameScope(item: GraphNode, owner: GraphNode): boolean {
    return !owner.info.namespaced || owner.namespace === item.namespace;
  }

  private invalidNamespace(item: GraphNode, ref: OwnerReference): void {
    const obj = { apiVersion: item.info.group ? `${item.info.group}/${item.version}` : item.version, kind: item.info.kind, metadata: { name: item.name, namespace: item.namespace || undefined, uid: item.uid } };
    this.recorder.event(obj, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${item.namespace}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace "${item.namespace}"`);
  }

  private async classifyOne(item: GraphNode, ref: OwnerReference): Promise<keyof Classified> {
    const mapping = this.lookup(ref.apiVersion, ref.kind);
    // An owner kind we cannot resolve is never treated as absent: deleting on a guess loses data.
    if (!mapping) return 'solid';
    if (mapping.info.namespaced && !item.namespace) {
      // A cluster-scoped dependent cannot have a namespaced owner: unresolvable, never collected.
      this.invalidNamespace(item, ref);
      return 'solid';
    }
    const known = this.graph.get(ref.uid);
    if (known) {
      if (this.sameScope(item, known)) return isDeletingDependents(known) ? 'waiting' : 'solid';
      this.invalidNamespace(item, ref);
    }
    const ns = mapping.info.namespaced ? item.namespace : '';
    const absentKey = `${ref.uid}/${ns}`;
    if (this.absent.has(absentKey)) return 'dangling';
    const live = await getObject(this.client, { info: mapping.info, version: mapping.version, namespace: ns, name: ref.name });
    if (!live || live.metadata.uid !== ref.uid) {
      this.absent.add(absentKey);
      if (this.absent.size > ABSENT_CACHE_MAX) this.absent.delete(this.absent.values().next().value!);
      return 'dangling';
    }
    return live.metadata.deletionTimestamp && (live.metadata.finalizers ?? []).includes(FOREGROUND) ? 'waiting' : 'solid';
  }
}
