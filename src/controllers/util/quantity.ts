// Exact resource.Quantity arithmetic for controllers that sum quantities (ResourceQuota usage,
// PV capacity matching). src/api/validation/quantity.ts parses to a double, which is enough to
// compare but not to add "100m" a thousand times or print "1536Mi"; here values are BigInt
// nano-units and keep their format, and formatting follows upstream's canonical form
// (largest exact suffix: 1500m, 2, 2k, 1536Mi, 1Gi).

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value times 10^9 (upstream's precision floor is the nano). */
  readonly nano: bigint;
  readonly format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const DECIMAL: Record<string, bigint> = { n: 1n, u: 1_000n, m: 1_000_000n, '': NANO, k: 1000n * NANO, M: 10n ** 6n * NANO, G: 10n ** 9n * NANO, T: 10n ** 12n * NANO, P: 10n ** 15n * NANO, E: 10n ** 18n * NANO };
const BINARY: Record<string, bigint> = { Ki: 2n ** 10n * NANO, Mi: 2n ** 20n * NANO, Gi: 2n ** 30n * NANO, Ti: 2n ** 40n * NANO, Pi: 2n ** 50n * NANO, Ei: 2n ** 60n * NANO };
const QUANTITY_RE = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(.*)$/;

export const zeroQuantity: Quantity = { nano: 0n, format: 'DecimalSI' };

/** Parses "100m", "1.5Gi", "2e3", 3; undefined when malformed. Sub-nano values round up, as upstream. */
export function parseQuantity(v: unknown): Quantity | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    v = String(v);
  }
  if (typeof v !== 'string') return undefined;
  const m = QUANTITY_RE.exec(v.trim());
  if (!m) return undefined;
  const [, sign, digits, suffix] = m as unknown as [string, string, string, string];
  const [whole = '', frac = ''] = digits.split('.');
  const num = BigInt((whole || '0') + frac);
  const den = 10n ** BigInt(frac.length);
  let mult: bigint;
  let format: QuantityFormat = 'DecimalSI';
  let divisor = 1n;
  if (suffix in DECIMAL) mult = DECIMAL[suffix]!;
  else if (suffix in BINARY) {
    mult = BINARY[suffix]!;
    format = 'BinarySI';
  } else {
    const e = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
    if (!e) return undefined;
    const exp = Number(e[1]) + 9;
    if (exp >= 0) mult = 10n ** BigInt(exp);
    else {
      mult = 1n;
      divisor = 10n ** BigInt(-exp);
    }
    format = 'DecimalExponent';
  }
  const total = num * mult;
  const d = den * divisor;
  let nano = total / d;
  if (total % d !== 0n) nano += 1n;
  return { nano: sign === '-' ? -nano : nano, format };
}

/** a + b in a's format (as upstream's Quantity.Add), a zero a takes b's format. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { nano: a.nano + b.nano, format: a.nano === 0n ? b.format : a.format };
}

export function compareQuantity(a: Quantity, b: Quantity): number {
  return a.nano < b.nano ? -1 : a.nano > b.nano ? 1 : 0;
}

/** An integer count (pods, services, ...) in DecimalSI. */
export function countQuantity(n: number): Quantity {
  return { nano: BigInt(n) * NANO, format: 'DecimalSI' };
}

/** The value as a number (for percentages and logs; may lose precision). */
export function quantityValue(q: Quantity): number {
  return Number(q.nano) / 1e9;
}

/** Upstream's canonical string: the largest suffix that keeps an integer mantissa. */
export function formatQuantity(q: Quantity): string {
  if (q.nano === 0n) return '0';
  const neg = q.nano < 0n;
  const abs = neg ? -q.nano : q.nano;
  const sign = neg ? '-' : '';
  if (q.format === 'BinarySI' && abs % NANO === 0n && abs >= 1024n * NANO) {
    const v = abs / NANO;
    const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
    let i = 0;
    let m = v;
    while (i < suffixes.length - 1 && m % 1024n === 0n) {
      m /= 1024n;
      i++;
    }
    return `${sign}${m}${suffixes[i]}`;
  }
  const decimal: [bigint, string, number][] = [
    [DECIMAL.E!, 'E', 18], [DECIMAL.P!, 'P', 15], [DECIMAL.T!, 'T', 12], [DECIMAL.G!, 'G', 9], [DECIMAL.M!, 'M', 6], [DECIMAL.k!, 'k', 3],
    [NANO, '', 0], [DECIMAL.m!, 'm', -3], [DECIMAL.u!, 'u', -6], [1n, 'n', -9],
  ];
  for (const [mult, suffix, exp] of decimal) {
    if (abs % mult !== 0n) continue;
    const m = abs / mult;
    if (q.format === 'DecimalExponent') return `${sign}${m}${exp === 0 ? '' : `e${exp}`}`;
    return `${sign}${m}${suffix}`;
  }
  return `${sign}${abs}n`;
}

/** Sums a list of quantity strings (malformed ones are skipped). */
export function sumQuantities(values: Iterable<unknown>): Quantity {
  let total = zeroQuantity;
  for (const v of values) {
    const q = parseQuantity(v);
    if (q) total = addQuantity(total, q);
  }
  return total;
}
