// containerHash: a stable hash of a container's spec, recorded in the container's annotations so
// the kubelet notices a spec change (a new image) and restarts the container. Resources are left
// out: they can be resized in place without a restart.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a of the UTF-8 bytes. */
export function fnv32a(text: string): number {
  let h = FNV_OFFSET;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** JSON with object keys sorted, so field order in the stored pod does not change the hash. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Lower-case hex, as the `io.kubernetes.container.hash` annotation carries it. */
export function containerHash(container: object): string {
  const { resources: _resources, resizePolicy: _resizePolicy, ...rest } = container as Record<string, unknown>;
  return fnv32a(canonicalJson(rest)).toString(16);
}
