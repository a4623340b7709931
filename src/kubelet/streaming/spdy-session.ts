// A SPDY/3.1 connection over any byte stream (a TLS socket after an HTTP Upgrade, or a WebSocket
// tunnel), as client or server: streams are Duplexes; a peer's SYN_STREAM is answered with a
// SYN_REPLY and announced as 'stream'; FIN half-closes, RST_STREAM destroys; PINGs are echoed.
//
// Flow control: received data is acknowledged with stream WINDOW_UPDATEs as it is handed on. Sends
// are not held back by the peer's window: Kubernetes' SPDY peers (spdystream) ignore WINDOW_UPDATE
// and never send one, so a sender that waited for credit would stall after 64 KiB.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { FLAG_FIN, FrameReader, FrameType, HeaderCompressor, HeaderDecompressor, RST, controlFrame, dataFrame, goAway, ping, rstStream, windowUpdate } from './spdy-frames.js';
import type { Frame, Headers } from './spdy-frames.js';

const MAX_DATA = 64 * 1024;

export class SpdyStream extends Duplex {
  /** Headers of the SYN_STREAM (the opener's) and of the SYN_REPLY. */
  replyHeaders: Headers = {};
  private finSent = false;
  private finReceived = false;
  private replied: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(private readonly session: SpdySession, readonly id: number, readonly headers: Headers) {
    super({ allowHalfOpen: true });
  }

  /** Resolves when the peer's SYN_REPLY arrives (streams we opened). */
  waitReply(): Promise<void> {
    return new Promise((resolve, reject) => (this.replied = { resolve, reject }));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    for (let off = 0; off < chunk.length; off += MAX_DATA) this.session.send(dataFrame(this.id, 0, chunk.subarray(off, off + MAX_DATA)));
    cb();
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.sendFin();
    cb();
  }

  /** Half-closes our side (an empty DATA frame with FIN). */
  sendFin(): void {
    if (this.finSent) return;
    this.finSent = true;
    this.session.send(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0)));
    this.maybeDone();
  }

  /** Aborts the stream (RST_STREAM CANCEL). */
  reset(status: number = RST.CANCEL): void {
    if (this.destroyed) return;
    this.session.send(rstStream(this.id, status));
    this.session.forget(this.id);
    this.destroy();
  }

  /** @internal */ onData(data: Buffer, fin: boolean): void {
    if (data.length) {
      this.push(data);
      this.session.send(windowUpdate(this.id, data.length));
    }
    if (fin) this.onFin();
  }

  /** @internal */ onFin(): void {
    if (this.finReceived) return;
    this.finReceived = true;
    this.push(null);
    this.maybeDone();
  }

  /** @internal */ onReply(h: Headers): void {
    this.replyHeaders = h;
    this.replied?.resolve();
  }

  /** @internal */ onReset(why: string): void {
    if (this.destroyed) return;
    this.replied?.reject(new Error(why));
    this.emit('reset');
    this.session.forget(this.id);
    this.push(null);
    this.destroy();
  }

  private maybeDone(): void {
    if (this.finSent && this.finReceived) this.session.forget(this.id);
  }
}

export class SpdySession extends EventEmitter {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private nextId: number;
  private lastPeerId = 0;
  closed = false;

  constructor(private readonly conn: Duplex, readonly role: 'client' | 'server') {
    super();
    this.nextId = role === 'client' ? 1 : 2;
    conn.on('data', (chunk: Buffer) => {
      try {
        for (const f of this.reader.push(chunk)) this.handle(f);
      } catch (e) {
        this.emit('error', e);
        this.close();
      }
    });
    conn.on('close', () => this.teardown());
    conn.on('end', () => this.teardown());
    conn.on('error', () => this.teardown());
  }

  /** Opens a stream and waits for the peer's SYN_REPLY. */
  async openStream(headers: Headers): Promise<SpdyStream> {
    if (this.closed) throw new Error('spdy: connection closed');
    const id = this.nextId;
    this.nextId += 2;
    const s = new SpdyStream(this, id, headers);
    this.streams.set(id, s);
    const replied = s.waitReply();
    const head = Buffer.alloc(10);
    head.writeUInt32BE(id, 0);
    this.send(controlFrame(FrameType.SynStream, 0, Buffer.concat([head, this.compressor.compress(headers)])));
    await replied;
    return s;
  }

  /** @internal */ send(frame: Buffer): void {
    if (!this.closed && !this.conn.destroyed && this.conn.writable) this.conn.write(frame);
  }

  /** @internal */ forget(id: number): void {
    this.streams.delete(id);
    if (!this.streams.size) this.emit('idle');
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Sends GOAWAY and closes the connection; open streams end. */
  close(): void {
    if (this.closed) return;
    this.send(goAway(this.lastPeerId));
    this.closed = true;
    this.conn.end();
    this.teardown();
  }

  private teardown(): void {
    this.closed = true;
    for (const s of [...this.streams.values()]) s.onReset('spdy: connection closed');
    this.streams.clear();
    this.compressor.close();
    this.decompressor.close();
    if (!this.conn.destroyed) this.conn.destroy();
    this.emit('close');
  }

  private handle(f: Frame): void {
    if (f.kind === 'data') {
      const s = this.streams.get(f.streamId);
      if (!s) return this.send(rstStream(f.streamId, RST.INVALID_STREAM));
      return s.onData(f.data, (f.flags & FLAG_FIN) !== 0);
    }
    const p = f.payload;
    switch (f.type) {
      case FrameType.SynStream: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const headers = this.decompressor.decompress(p.subarray(10));
        if (this.streams.has(id)) return this.send(rstStream(id, RST.PROTOCOL_ERROR));
        this.lastPeerId = Math.max(this.lastPeerId, id);
        const s = new SpdyStream(this, id, headers);
        this.streams.set(id, s);
        const reply = Buffer.alloc(4);
        reply.writeUInt32BE(id, 0);
        this.send(controlFrame(FrameType.SynReply, 0, Buffer.concat([reply, this.compressor.compress({})])));
        this.emit('stream', s);
        if (f.flags & FLAG_FIN) s.onFin();
        return;
      }
      case FrameType.SynReply: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const h = this.decompressor.decompress(p.subarray(4));
        const s = this.streams.get(id);
        s?.onReply(h);
        if (s && f.flags & FLAG_FIN) s.onFin();
        return;
      }
      case FrameType.Headers: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        this.decompressor.decompress(p.subarray(4));
        if (f.flags & FLAG_FIN) this.streams.get(id)?.onFin();
        return;
      }
      case FrameType.RstStream:
        this.streams.get(p.readUInt32BE(0) & 0x7fffffff)?.onReset(`spdy: stream reset (status ${p.readUInt32BE(4)})`);
        return;
      case FrameType.Ping:
        this.send(ping(p.readUInt32BE(0)));
        return;
      case FrameType.GoAway:
        this.emit('goaway');
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and unknown control frames need no answer (see the file header).
        return;
    }
  }
}
