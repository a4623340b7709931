// downwardAPI volumes (and projections): pod fields and container resources as files, in
// upstream's formats (labels/annotations one `key="value"` line each, sorted; resources rounded up
// to whole multiples of the divisor; a missing limit falls back to the node's allocatable).
import { parseQuantity, type Quantity } from '../../api/quantity.js';
import type { Payload } from './atomic-writer.js';
import { writeAtomic } from './atomic-writer.js';
import { DEFAULT_MODE } from './key-to-path.js';
import { fsGroupOf, type NodeAllocatable, type Pod, type SetUpContext, type VolumePlugin } from './types.js';

export interface DownwardItem {
  path: string;
  fieldRef?: { fieldPath: string; apiVersion?: string };
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string | number };
  mode?: number;
}

/** Whether an item reads something that can change while the pod runs (labels, annotations). */
export function isMutableField(item: DownwardItem): boolean {
  const f = item.fieldRef?.fieldPath ?? '';
  return f.startsWith('metadata.labels') || f.startsWith('metadata.annotations');
}

export async function projectDownward(payload: Payload, pod: Pod, items: DownwardItem[], defaultMode: number, nodeAllocatable: NodeAllocatable): Promise<void> {
  for (const item of items) {
    let value: string;
    if (item.fieldRef) value = fieldValue(pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef) value = await resourceValue(pod, item.resourceFieldRef, nodeAllocatable);
    else throw new Error(`downwardAPI item ${item.path}: one of fieldRef or resourceFieldRef is required`);
    payload.set(item.path, { data: Buffer.from(value), mode: item.mode ?? defaultMode });
  }
}

export function fieldValue(pod: Pod, fieldPath: string): string {
  const m = pod.metadata;
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (sub) return (sub[1] === 'labels' ? m.labels : m.annotations)?.[sub[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? '';
    case 'metadata.uid':
      return m.uid ?? '';
    case 'metadata.labels':
      return formatMap(m.labels);
    case 'metadata.annotations':
      return formatMap(m.annotations);
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

/** Upstream's FormatMap: sorted `key="value"` lines, values quoted as Go's %q. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}

async function resourceValue(pod: Pod, ref: NonNullable<DownwardItem['resourceFieldRef']>, nodeAllocatable: NodeAllocatable): Promise<string> {
  const containers = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  const c = containers.find((x) => x.name === ref.containerName);
  if (!c) throw new Error(`container ${ref.containerName ?? '""'} not found in pod ${pod.metadata.namespace}/${pod.metadata.name}`);
  const [kind, resource] = ref.resource.split('.', 2) as [string, string];
  if ((kind !== 'limits' && kind !== 'requests') || !['cpu', 'memory', 'ephemeral-storage'].includes(resource)) {
    throw new Error(`unsupported container resource: ${ref.resource}`);
  }
  let raw: string | undefined = c.resources?.[kind]?.[resource];
  // Requests default to limits; limits to the node's allocatable.
  if (raw === undefined && kind === 'requests') raw = c.resources?.limits?.[resource];
  if (raw === undefined) raw = kind === 'limits' ? (await nodeAllocatable())[resource] : '0';
  const q = parseQuantity(raw ?? '0');
  const divisor = parseQuantity(ref.divisor ?? '1');
  if (!q || !divisor || divisor.nanos <= 0n) throw new Error(`invalid quantity for ${ref.resource}`);
  return String(divide(q, divisor, resource === 'cpu'));
}

/** ceil(value / divisor), in millis for cpu (as upstream) and whole units otherwise. */
function divide(q: Quantity, divisor: Quantity, milli: boolean): bigint {
  const unit = milli ? 1_000_000n : 1_000_000_000n;
  const ceil = (a: bigint, b: bigint) => (a + b - 1n) / b;
  const v = ceil(q.nanos, unit);
  const d = ceil(divisor.nanos, unit);
  return ceil(v, d);
}

export const downwardApiPlugin: VolumePlugin = {
  dirName: 'kubernetes.io~downward-api',
  source: 'downwardAPI',
  refreshable: true,
  alwaysReadOnly: true,
  async setUp(ctx: SetUpContext): Promise<string> {
    const src = ctx.volume.downwardAPI as { items?: DownwardItem[]; defaultMode?: number };
    const payload: Payload = new Map();
    await projectDownward(payload, ctx.pod, src.items ?? [], src.defaultMode ?? DEFAULT_MODE, ctx.nodeAllocatable);
    await writeAtomic(ctx.dir, payload, { fsGroup: fsGroupOf(ctx.pod) });
    return ctx.dir;
  },
};
