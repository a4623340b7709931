// Downward API values for env vars: fieldRef paths of the pod and resourceFieldRef values of a
// container, with upstream's formats (labels/annotations as sorted `k="v"` lines, CPU in
// divisor units rounded up, limits defaulting to the node's allocatable).
import { parseQuantity, type Quantity } from '../../api/quantity.js';
import { milliValue, unitValue } from './resources.js';
import { goQuote, type Container, type Pod } from './types.js';

export interface FieldContext { podIP?: string; podIPs?: string[]; hostIP?: string; hostIPs?: string[] }

function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${goQuote(m![k]!)}`).join('\n');
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.*)'\]$/;

export function podFieldValue(pod: Pod, fieldPath: string, ctx: FieldContext): string {
  switch (fieldPath) {
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return ctx.hostIP ?? ctx.hostIPs?.[0] ?? '';
    case 'status.hostIPs':
      return (ctx.hostIPs ?? (ctx.hostIP ? [ctx.hostIP] : [])).join(',');
    case 'status.podIP':
      return ctx.podIP ?? ctx.podIPs?.[0] ?? '';
    case 'status.podIPs':
      return (ctx.podIPs ?? (ctx.podIP ? [ctx.podIP] : [])).join(',');
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
  }
  const m = SUBSCRIPT.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

function quantity(v: unknown, what: string): Quantity {
  const q = parseQuantity(v);
  if (!q) throw new Error(`invalid quantity ${JSON.stringify(v)} for ${what}`);
  return q;
}

/**
 * limits.cpu|memory|ephemeral-storage, requests.cpu|memory|ephemeral-storage and
 * requests/limits.hugepages-*, divided by the divisor (default 1) and rounded up.
 */
export function containerResourceValue(
  ref: { containerName?: string; resource: string; divisor?: string | number },
  pod: Pod,
  container: Container,
  nodeAllocatable: Record<string, string | number>,
): string {
  const target = ref.containerName ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === ref.containerName) : container;
  if (!target) throw new Error(`container ${ref.containerName} not found`);
  const dot = ref.resource.indexOf('.');
  const kind = ref.resource.slice(0, dot);
  const name = ref.resource.slice(dot + 1);
  const supported = ['cpu', 'memory', 'ephemeral-storage'].includes(name) || name.startsWith('hugepages-');
  if ((kind !== 'limits' && kind !== 'requests') || !supported) throw new Error(`unsupported container resource : ${ref.resource}`);
  let raw = (kind === 'limits' ? target.resources?.limits : target.resources?.requests)?.[name];
  // Unset limits read as the node's allocatable (upstream's defaultPodLimitsForDownwardAPI).
  if (raw === undefined && kind === 'limits') raw = nodeAllocatable[name];
  const value = raw === undefined ? { nanos: 0n, format: 'DecimalSI' as const } : quantity(raw, ref.resource);
  const divisor = ref.divisor === undefined || parseQuantity(ref.divisor)?.nanos === 0n ? quantity('1', 'divisor') : quantity(ref.divisor, 'divisor');
  if (name === 'cpu') {
    return String(ceilDivPositive(milliValue(value), milliValue(divisor)));
  }
  return String(ceilDivPositive(unitValue(value), unitValue(divisor)));
}

function ceilDivPositive(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Error('divisor rounds to zero');
  return (a + b - 1n) / b;
}
