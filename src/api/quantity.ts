// Exact resource.Quantity arithmetic (admission, quota, controllers): values held as integer nano-units (bigint) with
// the format they were written in, so sums, comparisons and the canonical strings in upstream's
// messages (`100m`, `1Gi`, `1536Mi`) come out exactly as kube-apiserver prints them.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value times 10^9 (precision finer than nano is rounded up, as upstream does). */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const DECIMAL_EXP: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXP: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/;

export const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI' };

/** Parses a quantity (`"100m"`, `"1.5Gi"`, `"1e3"`, or a JSON number); undefined when malformed. */
export function parseQuantity(v: unknown): Quantity | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    v = String(v);
  }
  if (typeof v !== 'string') return undefined;
  const m = QUANTITY_RE.exec(v.trim());
  if (!m) return undefined;
  const [, sign, whole = '', frac = '', suffix = ''] = m;
  if (whole === '' && frac === '') return undefined;
  const digits = BigInt((whole || '0') + frac);
  let nanos: bigint;
  let format: QuantityFormat;
  if (suffix in DECIMAL_EXP) {
    format = 'DecimalSI';
    nanos = scaleTen(digits, DECIMAL_EXP[suffix]! + 9 - frac.length);
  } else if (suffix in BINARY_EXP) {
    format = 'BinarySI';
    nanos = ceilDiv(digits * (1n << BigInt(BINARY_EXP[suffix]!)) * NANO, 10n ** BigInt(frac.length));
  } else {
    const e = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
    if (!e) return undefined;
    format = 'DecimalExponent';
    nanos = scaleTen(digits, Number(e[1]) + 9 - frac.length);
  }
  return { nanos: sign === '-' ? -nanos : nanos, format };
}

function scaleTen(digits: bigint, exp: number): bigint {
  return exp >= 0 ? digits * 10n ** BigInt(exp) : ceilDiv(digits, 10n ** BigInt(-exp));
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** q + y; the format of q is kept unless q is zero (then y's), as Quantity.Add does. */
export function add(q: Quantity, y: Quantity): Quantity {
  return { nanos: q.nanos + y.nanos, format: q.nanos === 0n ? y.format : q.format };
}

export function sub(q: Quantity, y: Quantity): Quantity {
  return { nanos: q.nanos - y.nanos, format: q.nanos === 0n ? y.format : q.format };
}

export function cmp(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

export function max(a: Quantity, b: Quantity): Quantity {
  return cmp(a, b) >= 0 ? a : b;
}

export function fromInt(n: number): Quantity {
  return { nanos: BigInt(n) * NANO, format: 'DecimalSI' };
}

/** The value as a JS number (for ratios). */
export function toNumber(q: Quantity): number {
  return Number(q.nanos) / 1e9;
}

/** The canonical string, as Quantity.String() prints it. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const neg = q.nanos < 0n;
  const abs = neg ? -q.nanos : q.nanos;
  let format = q.format;
  // Small or fractional binary values print as decimal, to avoid rounding (upstream does the same).
  if (format === 'BinarySI' && (abs < 1024n * NANO || abs % NANO !== 0n)) format = 'DecimalSI';
  let text: string;
  if (format === 'BinarySI') {
    let v = abs / NANO;
    let exp = 0;
    while (exp < 60 && v % 1024n === 0n) {
      v /= 1024n;
      exp += 10;
    }
    text = String(v) + (Object.keys(BINARY_EXP).find((k) => BINARY_EXP[k] === exp) ?? '');
  } else {
    // mantissa × 10^exp with exp a multiple of 3, mantissa as small as stays an integer.
    let mantissa = abs;
    let exp = -9;
    while (mantissa % 1000n === 0n && (format === 'DecimalExponent' || exp < 18)) {
      mantissa /= 1000n;
      exp += 3;
    }
    if (format === 'DecimalExponent') text = String(mantissa) + (exp === 0 ? '' : `e${exp}`);
    else text = String(mantissa) + Object.keys(DECIMAL_EXP).find((k) => DECIMAL_EXP[k] === exp)!;
  }
  return neg ? '-' + text : text;
}

/** A ResourceList (`{cpu: "100m"}`) parsed; malformed values are skipped (validation rejects them). */
export type ResourceList = Map<string, Quantity>;

export function parseResourceList(v: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [k, raw] of Object.entries(v)) {
    const q = parseQuantity(raw);
    if (q) out.set(k, q);
  }
  return out;
}

/** Adds b into a (quota.Add). */
export function addInto(a: ResourceList, b: ResourceList): ResourceList {
  for (const [k, q] of b) a.set(k, a.has(k) ? add(a.get(k)!, q) : q);
  return a;
}

/** `a=1,b=2Gi` sorted by name (the resource quota admission's prettyPrint). */
export function prettyPrint(list: ResourceList): string {
  return [...list.keys()].sort().map((k) => `${k}=${formatQuantity(list.get(k)!)}`).join(',');
}

export function toJson(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...list.keys()].sort()) out[k] = formatQuantity(list.get(k)!);
  return out;
}
