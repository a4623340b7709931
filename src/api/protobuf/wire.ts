// A reader for the protobuf wire format (varints, fixed 32/64-bit, length-delimited), just enough to
// decode Kubernetes request bodies. It never copies: length-delimited fields are subarray views,
// and every length is checked against the bytes left before use, so a hostile body can neither
// make it allocate by declaring a huge length nor run past its end. Any malformation is a
// StatusError 400, the answer a client gets for a body it cannot have meant.
import { badRequest, type StatusError } from '../errors.js';

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

/** The four bytes every Kubernetes protobuf body starts with: "k8s" and a NUL. */
export const PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export function hasProtobufMagic(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x6b && buf[1] === 0x38 && buf[2] === 0x73 && buf[3] === 0x00;
}

// Not fatal on bad UTF-8: proto2 strings are not validated upstream either, and Go's JSON encoder
// turns invalid bytes into U+FFFD, as this does. The BOM is kept, as Go keeps it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function utf8Decode(b: Uint8Array): string {
  return utf8.decode(b);
}

/** The largest field number protobuf allows. */
const MAX_FIELD_NUMBER = 2 ** 29 - 1;

/** A 400 for a body that is not well-formed protobuf. */
export function malformed(detail: string): StatusError {
  return badRequest(`unable to decode the protobuf request body: ${detail}`);
}

/** A known field must arrive with its type's wire type. */
export function expectWire(actual: number, expected: number, path: string): void {
  if (actual !== expected) throw malformed(`wrong wire type ${actual} for field ${path || '(root)'} (expected ${expected})`);
}

export interface Tag {
  field: number;
  wireType: number;
}

export class WireReader {
  private pos: number;
  /** The same bytes as a Buffer (a view, no copy): its utf8 decoding needs no subarray per string. */
  private readonly buf: Buffer;

  constructor(
    buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }

  /** True once every byte of this message has been read. */
  done(): boolean {
    return this.pos >= this.end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** A field key: field number and wire type. */
  tag(): Tag {
    const key = this.key();
    return { field: key >>> 3, wireType: key & 7 };
  }

  /** A field key as one number (field number << 3 | wire type), checked; for hot loops. */
  key(): number {
    const at = this.pos;
    const key = this.small();
    const field = Math.floor(key / 8);
    if (field === 0 || field > MAX_FIELD_NUMBER) throw malformed(`illegal field number ${field} (wire type ${key % 8}) at byte ${at}`);
    return key;
  }

  /**
   * An unsigned varint as a number, for tags and lengths: exact below 2^53 (larger ones are
   * returned as Infinity, which every caller rejects as too long a length or too big a field).
   */
  small(): number {
    const b0 = this.byte();
    if (b0 < 0x80) return b0;
    let n = b0 & 0x7f;
    let mul = 0x80;
    for (let i = 1; i < 10; i++) {
      const b = this.byte();
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n <= Number.MAX_SAFE_INTEGER ? n : Infinity;
      mul *= 0x80;
    }
    throw malformed(`varint longer than 10 bytes at byte ${this.pos - 10}`);
  }

  /** An unsigned varint of up to 64 bits. */
  varint(): bigint {
    // Fast path: varints below 2^28 (tags, lengths, most values) need no BigInt arithmetic.
    let n = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.byte();
      n |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return BigInt(n >>> 0);
    }
    let v = BigInt(n >>> 0);
    for (let shift = 28n; shift < 70n; shift += 7n) {
      const b = this.byte();
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, v);
    }
    throw malformed(`varint longer than 10 bytes at byte ${this.pos - 10}`);
  }

  /** An int32 field: negative values arrive sign-extended to ten bytes. */
  int32(): number {
    const b = this.peekSmall();
    if (b >= 0) return b;
    return Number(BigInt.asIntN(32, this.varint()));
  }

  /** An int64 field, as a JavaScript number (exact up to 2^53, as JSON clients see it). */
  int64(): number {
    const b = this.peekSmall();
    if (b >= 0) return b;
    return Number(BigInt.asIntN(64, this.varint()));
  }

  bool(): boolean {
    const b = this.peekSmall();
    if (b >= 0) return b !== 0;
    return this.varint() !== 0n;
  }

  /** A varint of at most 4 bytes (below 2^28: non-negative either way), consumed; -1 (nothing consumed) otherwise. */
  private peekSmall(): number {
    let n = 0;
    const end = Math.min(this.pos + 4, this.end);
    for (let p = this.pos, shift = 0; p < end; p++, shift += 7) {
      const b = this.buf[p]!;
      n |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p + 1;
        return n;
      }
    }
    return -1;
  }

  double(): number {
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.take(8), 8);
    return view.getFloat64(0, true);
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    const [start, end] = this.delimited();
    return this.buf.subarray(start, end);
  }

  /** A length-delimited field as a string (invalid UTF-8 becomes U+FFFD, a BOM is kept: as utf8Decode). */
  string(): string {
    const at = this.pos;
    const len = this.small();
    if (len > this.end - this.pos) throw malformed(`length ${len === Infinity ? 'above 2^53' : len} at byte ${at} exceeds the ${this.end - this.pos} bytes left`);
    const start = this.pos;
    this.pos += len;
    // Most strings in an object are short ASCII (names, labels, enum values): built directly,
    // they skip Buffer.toString's argument checks and the native call.
    if (len <= 16) {
      const b = this.buf;
      let out = '';
      let p = start;
      for (; p < start + len; p++) {
        const c = b[p]!;
        if (c >= 0x80) break;
        out += String.fromCharCode(c);
      }
      if (p === start + len) return out;
    }
    return this.buf.toString('utf8', start, start + len);
  }

  /**
   * A reader over a length-delimited field (an embedded message or a packed repeated field). It
   * shares this reader's buffer, so byte offsets in its errors count from the start of the body.
   */
  message(): WireReader {
    const [start, end] = this.delimited();
    return new WireReader(this.buf, start, end);
  }

  /** Skips a field of an unknown number. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        if (this.peekSmall() < 0) this.varint();
        return;
      case WireType.Fixed64:
        this.take(8);
        return;
      case WireType.LengthDelimited:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.take(4);
        return;
      default:
        // Groups (3, 4) are deprecated and no Kubernetes message uses them; 6 and 7 do not exist.
        throw malformed(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.end) throw malformed(`unexpected end of data at byte ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  /** Reads a length prefix and advances past that many bytes, returning their [start, end). */
  private delimited(): [number, number] {
    const at = this.pos;
    const len = this.small();
    if (len > this.remaining) throw malformed(`length ${len === Infinity ? 'above 2^53' : len} at byte ${at} exceeds the ${this.remaining} bytes left`);
    const start = this.take(len);
    return [start, start + len];
  }

  /** Advances past n bytes, returning where they start. */
  private take(n: number): number {
    if (n > this.remaining) throw malformed(`unexpected end of data at byte ${this.pos} (${n} bytes needed, ${this.remaining} left)`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
}
