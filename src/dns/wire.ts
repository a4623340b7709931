// DNS wire format (RFC 1035, 2782, 3596, 6891): parses queries and replies (following name
// compression pointers, with loop and bounds checks) and encodes replies (compressing names,
// setting TC and dropping records when a UDP reply exceeds the client's size). Only the record
// types cluster DNS serves are decoded; others are kept as raw RDATA.

import { ipv4ToBytes, ipv6ToBytes, ipv6ToString } from './address-bytes.js';

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, AXFR: 252, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface Question {
  /** Lower-cased, without the trailing dot ('' for the root). */
  name: string;
  type: number;
  class: number;
}

export interface Soa {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface Srv {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export type RecordData =
  | { type: typeof TYPE.A; address: string }
  | { type: typeof TYPE.AAAA; address: string }
  | { type: typeof TYPE.CNAME | typeof TYPE.PTR | typeof TYPE.NS; target: string }
  | { type: typeof TYPE.SRV; srv: Srv }
  | { type: typeof TYPE.SOA; soa: Soa }
  | { type: number; raw: Buffer };

export interface ResourceRecord {
  name: string;
  class: number;
  ttl: number;
  data: RecordData;
}

export interface Message {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  /** The EDNS OPT pseudo-record, when present: the requester's UDP payload size. */
  edns?: { udpSize: number };
}

export class DnsFormatError extends Error {}

const MAX_POINTER_HOPS = 64;

class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DnsFormatError('message truncated');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  name(): string {
    const labels: string[] = [];
    let pos = this.pos;
    let jumped = false;
    let hops = 0;
    let length = 0;
    for (;;) {
      if (pos >= this.buf.length) throw new DnsFormatError('name runs past the message');
      const len = this.buf[pos]!;
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new DnsFormatError('truncated compression pointer');
        if (++hops > MAX_POINTER_HOPS) throw new DnsFormatError('compression pointer loop');
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1]!;
        if (!jumped) this.pos = pos + 2;
        jumped = true;
        pos = target;
        continue;
      }
      if (len & 0xc0) throw new DnsFormatError('unsupported label type');
      if (len === 0) {
        if (!jumped) this.pos = pos + 1;
        break;
      }
      if (pos + 1 + len > this.buf.length) throw new DnsFormatError('label runs past the message');
      length += len + 1;
      if (length > 255) throw new DnsFormatError('name longer than 255 octets');
      labels.push(this.buf.toString('latin1', pos + 1, pos + 1 + len).toLowerCase());
      pos += 1 + len;
    }
    return labels.join('.');
  }
}

function readRecord(r: Reader): ResourceRecord & { rawClass: number; rawTtl: number } {
  const name = r.name();
  const type = r.u16();
  const cls = r.u16();
  const ttl = r.u32();
  const rdlen = r.u16();
  r.need(rdlen);
  const end = r.pos + rdlen;
  let data: RecordData;
  if (type === TYPE.A && rdlen === 4) data = { type, address: [...r.bytes(4)].join('.') };
  else if (type === TYPE.AAAA && rdlen === 16) data = { type, address: ipv6ToString(r.bytes(16)) };
  else if (type === TYPE.CNAME || type === TYPE.PTR || type === TYPE.NS) data = { type, target: r.name() };
  else if (type === TYPE.SRV) data = { type, srv: { priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() } };
  else if (type === TYPE.SOA) data = { type, soa: { mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() } };
  else data = { type, raw: Buffer.from(r.bytes(rdlen)) };
  if (r.pos !== end) throw new DnsFormatError(`bad RDATA length for type ${type}`);
  return { name, class: cls, ttl, data, rawClass: cls, rawTtl: ttl };
}

/** Parses a whole DNS message; throws DnsFormatError on malformed input. */
export function parseMessage(buf: Buffer): Message {
  const r = new Reader(buf);
  if (buf.length < 12) throw new DnsFormatError('message shorter than its header');
  const id = r.u16();
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const;
  const msg: Message = {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions: [],
    answers: [],
    authority: [],
    additional: [],
  };
  for (let i = 0; i < counts[0]; i++) msg.questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  for (let i = 0; i < counts[1]; i++) msg.answers.push(strip(readRecord(r)));
  for (let i = 0; i < counts[2]; i++) msg.authority.push(strip(readRecord(r)));
  for (let i = 0; i < counts[3]; i++) {
    const rec = readRecord(r);
    if (rec.data.type === TYPE.OPT) {
      // The OPT record's class is the requester's UDP payload size (RFC 6891 §6.1.2); below 512 means 512.
      msg.edns = { udpSize: Math.max(512, rec.rawClass) };
      msg.rcode |= (rec.rawTtl >>> 24) << 4;
    } else msg.additional.push(strip(rec));
  }
  return msg;
}

function strip(r: ResourceRecord & { rawClass: number; rawTtl: number }): ResourceRecord {
  return { name: r.name, class: r.class, ttl: r.ttl, data: r.data };
}

class Writer {
  private buf = Buffer.alloc(512);
  pos = 0;
  private readonly names = new Map<string, number>();
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }
  setU16(at: number, v: number): void {
    this.buf.writeUInt16BE(v, at);
  }
  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  /** Writes a name, pointing at an earlier copy of its longest known suffix. */
  name(name: string): void {
    const labels = name ? name.split('.') : [];
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.names.get(suffix);
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.pos < 0x4000) this.names.set(suffix, this.pos);
      const label = Buffer.from(labels[i]!, 'latin1');
      if (label.length === 0 || label.length > 63) throw new DnsFormatError(`invalid label in "${name}"`);
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

function writeRecord(w: Writer, rec: ResourceRecord): void {
  w.name(rec.name);
  w.u16(rec.data.type);
  w.u16(rec.class);
  w.u32(rec.ttl);
  const lenAt = w.pos;
  w.u16(0);
  const start = w.pos;
  const d = rec.data;
  if ('address' in d && d.type === TYPE.A) w.bytes(ipv4ToBytes(d.address));
  else if ('address' in d) w.bytes(ipv6ToBytes(d.address));
  else if ('target' in d) w.name(d.target);
  else if ('srv' in d) {
    w.u16(d.srv.priority);
    w.u16(d.srv.weight);
    w.u16(d.srv.port);
    w.name(d.srv.target);
  } else if ('soa' in d) {
    w.name(d.soa.mname);
    w.name(d.soa.rname);
    for (const v of [d.soa.serial, d.soa.refresh, d.soa.retry, d.soa.expire, d.soa.minimum]) w.u32(v);
  } else w.bytes(d.raw);
  w.setU16(lenAt, w.pos - start);
}

function encode(msg: Message, sections: { answers: ResourceRecord[]; authority: ResourceRecord[]; additional: ResourceRecord[] }, tc: boolean): Buffer {
  const w = new Writer();
  w.u16(msg.id);
  w.u16((msg.qr ? 0x8000 : 0) | ((msg.opcode & 0xf) << 11) | (msg.aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) | (msg.rd ? 0x0100 : 0) | (msg.ra ? 0x0080 : 0) | (msg.rcode & 0xf));
  w.u16(msg.questions.length);
  w.u16(sections.answers.length);
  w.u16(sections.authority.length);
  w.u16(sections.additional.length + (msg.edns ? 1 : 0));
  for (const q of msg.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const r of sections.answers) writeRecord(w, r);
  for (const r of sections.authority) writeRecord(w, r);
  for (const r of sections.additional) writeRecord(w, r);
  if (msg.edns) {
    w.u8(0); // root name
    w.u16(TYPE.OPT);
    w.u16(msg.edns.udpSize);
    w.u32(((msg.rcode >> 4) & 0xff) << 24);
    w.u16(0);
  }
  return w.done();
}

/**
 * Encodes a message. With `maxSize` (a UDP reply) a message that does not fit is sent with TC
 * set and without its records, so the client retries over TCP (RFC 2181 §9).
 */
export function encodeMessage(msg: Message, maxSize = 65535): Buffer {
  const full = encode(msg, msg, msg.tc);
  if (full.length <= maxSize) return full;
  return encode(msg, { answers: [], authority: [], additional: [] }, true);
}
