// SPDY/3.1 framing: control frames (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY,
// HEADERS, WINDOW_UPDATE) and data frames, plus header blocks compressed with one zlib stream per
// direction per connection (preset dictionary, a sync flush after each block), as the spec says.
import { constants, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export const enum FrameType {
  SynStream = 1,
  SynReply = 2,
  RstStream = 3,
  Settings = 4,
  Ping = 6,
  GoAway = 7,
  Headers = 8,
  WindowUpdate = 9,
}

/** RST_STREAM status codes. */
export const RST = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6, STREAM_IN_USE: 8, STREAM_ALREADY_CLOSED: 9 } as const;

export type Headers = Record<string, string>;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; flags: number; payload: Buffer };

/** Splits a byte stream into frames; keeps the unfinished tail for the next push. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + len) break;
      const flags = this.buf[4]!;
      const payload = this.buf.subarray(8, 8 + len);
      if (this.buf[0]! & 0x80) {
        const version = this.buf.readUInt16BE(0) & 0x7fff;
        if (version !== SPDY_VERSION) throw new Error(`spdy: unsupported version ${version}`);
        out.push({ kind: 'control', type: this.buf.readUInt16BE(2), flags, payload });
      } else {
        out.push({ kind: 'data', streamId: this.buf.readUInt32BE(0) & 0x7fffffff, flags, data: payload });
      }
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h[4] = flags;
  h.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([h, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h[4] = flags;
  h.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([h, data]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

export function rstStream(streamId: number, status: number): Buffer {
  return controlFrame(FrameType.RstStream, 0, u32(streamId & 0x7fffffff, status));
}

export function ping(id: number): Buffer {
  return controlFrame(FrameType.Ping, 0, u32(id));
}

export function goAway(lastGoodStreamId: number, status = 0): Buffer {
  return controlFrame(FrameType.GoAway, 0, u32(lastGoodStreamId & 0x7fffffff, status));
}

export function windowUpdate(streamId: number, delta: number): Buffer {
  return controlFrame(FrameType.WindowUpdate, 0, u32(streamId & 0x7fffffff, delta & 0x7fffffff));
}

export function settings(entries: { id: number; value: number; flags?: number }[]): Buffer {
  const parts = [u32(entries.length)];
  for (const e of entries) parts.push(u32((((e.flags ?? 0) & 0xff) << 24) | (e.id & 0xffffff), e.value));
  return controlFrame(FrameType.Settings, 0, Buffer.concat(parts));
}

/** The uncompressed name/value block: count, then length-prefixed names and values (32-bit). */
export function encodeHeaderBlock(h: Headers): Buffer {
  const parts: Buffer[] = [u32(Object.keys(h).length)];
  for (const [k, v] of Object.entries(h)) {
    const name = Buffer.from(k.toLowerCase(), 'utf8');
    const value = Buffer.from(v, 'utf8');
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): Headers {
  const h: Headers = {};
  let off = 0;
  const take = () => {
    const len = b.readUInt32BE(off);
    const s = b.subarray(off + 4, off + 4 + len).toString('utf8');
    if (off + 4 + len > b.length) throw new Error('spdy: truncated header block');
    off += 4 + len;
    return s;
  };
  const n = b.readUInt32BE(0);
  off = 4;
  for (let i = 0; i < n; i++) {
    const k = take().toLowerCase();
    const v = take();
    // Repeated values are NUL-separated on the wire; callers use the first.
    h[k] = h[k] !== undefined ? `${h[k]}\0${v}` : v;
  }
  return h;
}

function adler32(b: Buffer): number {
  let a = 1;
  let c = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  return ((c << 16) | a) >>> 0;
}

/**
 * Compresses header blocks into one zlib stream that names the SPDY dictionary (FDICT), emitting
 * each block as stored deflate blocks — exactly what a sync flush leaves a receiver, and valid for
 * any inflater. Node's zlib has no synchronous, stateful flush (its sync calls close the stream), and
 * header blocks are tiny, so not squeezing them costs a few bytes per stream.
 */
export class HeaderCompressor {
  private started = false;

  compress(h: Headers): Buffer {
    const block = encodeHeaderBlock(h);
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      const head = Buffer.alloc(6);
      head[0] = 0x78;
      head[1] = 0x20; // FDICT set; (0x78 * 256 + 0x20) % 31 === 0
      head.writeUInt32BE(adler32(SPDY3_DICTIONARY), 2);
      parts.push(head);
    }
    for (let off = 0; off === 0 || off < block.length; off += 0xffff) {
      const piece = block.subarray(off, off + 0xffff);
      const hdr = Buffer.alloc(5);
      hdr[0] = 0; // BFINAL 0, stored
      hdr.writeUInt16LE(piece.length, 1);
      hdr.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(hdr, piece);
    }
    // An empty stored block ends each header block, as a zlib sync flush does: Go's inflater
    // (spdystream, containerd) reads the next block header right after a block's data, and must
    // find it inside this frame rather than run into the next one.
    parts.push(Buffer.from([0, 0, 0, 0xff, 0xff]));
    return Buffer.concat(parts);
  }

  close(): void {}
}

/**
 * Inflates the peer's header blocks. The zlib context spans the connection, so each block is
 * inflated together with everything before it and the new output taken (blocks are small and a
 * connection carries few of them).
 */
export class HeaderDecompressor {
  private input: Buffer = Buffer.alloc(0);
  private consumed = 0;

  decompress(b: Buffer): Headers {
    if (!b.length) return {};
    this.input = Buffer.concat([this.input, b]);
    const out = inflateSync(this.input, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const block = out.subarray(this.consumed);
    this.consumed = out.length;
    return decodeHeaderBlock(block);
  }

  close(): void {
    this.input = Buffer.alloc(0);
  }
}
