// SPDY/3.1 framing: control frames (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY,
// HEADERS, WINDOW_UPDATE) and data frames, plus header blocks compressed with one zlib stream per
// direction per connection (preset dictionary, a sync flush after each block), as the spec says.
import { createDeflate, createInflate, constants } from 'node:zlib';
import type { Deflate, Inflate } from 'node:zlib';
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

/**
 * Node's zlib streams run synchronously through `_processChunk` (used by zlib's own *Sync
 * functions); SPDY needs one long-lived compression context per direction, flushed per block.
 */
interface SyncZlib {
  _processChunk(chunk: Buffer, flushFlag: number): Buffer;
}

export class HeaderCompressor {
  private readonly z: Deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });

  compress(h: Headers): Buffer {
    return (this.z as unknown as SyncZlib)._processChunk(encodeHeaderBlock(h), constants.Z_SYNC_FLUSH);
  }

  close(): void {
    this.z.close();
  }
}

export class HeaderDecompressor {
  private readonly z: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });

  decompress(b: Buffer): Headers {
    if (!b.length) return {};
    return decodeHeaderBlock((this.z as unknown as SyncZlib)._processChunk(b, constants.Z_SYNC_FLUSH));
  }

  close(): void {
    this.z.close();
  }
}
