// A minimal DER reader: enough to walk PKCS#10 requests and X.509 names without decoding whole
// structures, keeping each element's exact bytes (signatures are over the original encoding).

export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  /** Offsets in the buffer: the whole element, and its contents. */
  start: number;
  contentStart: number;
  end: number;
}

export class DerError extends Error {}

export function readTlv(buf: Uint8Array, at: number, limit = buf.length): Tlv {
  if (at + 2 > limit) throw new DerError('truncated element');
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let len = buf[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > limit) throw new DerError('element runs past its container');
  return { tag, start: at, contentStart: p, end: p + len };
}

/** The elements inside a constructed element. */
export function children(buf: Uint8Array, el: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = el.contentStart; p < el.end; ) {
    const c = readTlv(buf, p, el.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export const bytesOf = (buf: Uint8Array, el: Tlv): Buffer => Buffer.from(buf.subarray(el.start, el.end));
export const contentOf = (buf: Uint8Array, el: Tlv): Buffer => Buffer.from(buf.subarray(el.contentStart, el.end));

/** An OBJECT IDENTIFIER's dotted form. */
export function oidOf(buf: Uint8Array, el: Tlv): string {
  if (el.tag !== 0x06) throw new DerError('expected an OBJECT IDENTIFIER');
  const c = contentOf(buf, el);
  if (!c.length) throw new DerError('empty OBJECT IDENTIFIER');
  const parts = [Math.floor(c[0]! / 40), c[0]! % 40];
  let v = 0;
  for (let i = 1; i < c.length; i++) {
    v = v * 128 + (c[i]! & 0x7f);
    if (!(c[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}
