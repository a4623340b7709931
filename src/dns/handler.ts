// One DNS query → one reply: cluster names from the lookup (authoritative), anything else
// forwarded; malformed queries get FORMERR, unsupported opcodes NOTIMP, zone transfers REFUSED,
// and a forward nobody answers SERVFAIL. UDP replies respect the client's EDNS size (512 without).
import { DnsFormatError, RCODE, TYPE, CLASS_IN, encodeMessage, parseMessage } from './wire.js';
import type { Message } from './wire.js';
import type { ClusterLookup } from './lookup.js';
import type { Forwarder } from './forward.js';
import { isReverseName } from './reverse.js';

const OUR_UDP_SIZE = 1232;

export class QueryHandler {
  constructor(
    private readonly lookup: ClusterLookup,
    private readonly forwarder: Forwarder,
  ) {}

  /** The reply to `query` (undefined: drop it, e.g. a reply sent to us or garbage). */
  async handle(query: Buffer, transport: 'udp' | 'tcp', signal: AbortSignal): Promise<Buffer | undefined> {
    try {
      return await this.answer(query, transport, signal);
    } catch {
      // A record we cannot encode (a malformed address in an object): fail this query, not the server.
      if (query.length < 12) return undefined;
      const h = { id: query.readUInt16BE(0), opcode: (query[2]! >> 3) & 0xf, rd: (query[2]! & 1) === 1, questions: [] } as unknown as Message;
      return encodeMessage(reply(h, RCODE.SERVFAIL));
    }
  }

  private async answer(query: Buffer, transport: 'udp' | 'tcp', signal: AbortSignal): Promise<Buffer | undefined> {
    let msg: Message;
    try {
      msg = parseMessage(query);
    } catch (e) {
      if (!(e instanceof DnsFormatError) || query.length < 12 || query.readUInt16BE(2) & 0x8000) return undefined;
      return encodeMessage(reply({ id: query.readUInt16BE(0), opcode: (query[2]! >> 3) & 0xf, rd: (query[2]! & 1) === 1, questions: [] } as unknown as Message, RCODE.FORMERR));
    }
    if (msg.qr) return undefined;
    const max = transport === 'tcp' ? 65535 : msg.edns ? Math.min(msg.edns.udpSize, OUR_UDP_SIZE) : 512;
    if (msg.opcode !== 0) return encodeMessage(reply(msg, RCODE.NOTIMP), max);
    if (msg.questions.length !== 1) return encodeMessage(reply(msg, RCODE.FORMERR), max);
    const q = msg.questions[0]!;
    if (this.lookup.inZone(q.name)) {
      if (q.class !== CLASS_IN && q.class !== 255) return encodeMessage(reply(msg, RCODE.REFUSED), max);
      if (q.type === TYPE.AXFR || q.type === 251) return encodeMessage(reply(msg, RCODE.REFUSED), max);
      const a = this.lookup.lookup(q);
      const out = reply(msg, a.rcode);
      out.aa = true;
      out.answers = a.answers;
      out.authority = a.authority;
      out.additional = a.additional;
      return encodeMessage(out, max);
    }
    const reverse = q.class === CLASS_IN && isReverseName(q.name) ? this.lookup.reverse(q) : undefined;
    if (reverse) {
      const out = reply(msg, reverse.rcode);
      out.aa = true;
      out.answers = reverse.answers;
      return encodeMessage(out, max);
    }
    const forwarded = await this.forwarder.forward(query, signal, transport);
    if (forwarded) return forwarded;
    return encodeMessage(reply(msg, RCODE.SERVFAIL), max);
  }
}

function reply(q: Message, rcode: number): Message {
  return {
    id: q.id,
    qr: true,
    opcode: q.opcode,
    aa: false,
    tc: false,
    rd: q.rd,
    ra: true,
    rcode,
    questions: q.questions,
    answers: [],
    authority: [],
    additional: [],
    edns: q.edns ? { udpSize: OUR_UDP_SIZE } : undefined,
  };
}
