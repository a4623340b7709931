import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import type { Socket } from 'node:net';
import { FrameReader, HeaderCompressor, HeaderDecompressor, dataFrame, ping, FLAG_FIN } from './spdy-frames.js';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';
import { SpdySession } from './spdy-session.js';
import type { SpdyStream } from './spdy-session.js';

test('the SPDY/3 dictionary has the specified size and shape', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith('enq=0.'));
});

test('frames split across chunks are reassembled; control and data frames are told apart', () => {
  const r = new FrameReader();
  const bytes = Buffer.concat([dataFrame(3, FLAG_FIN, Buffer.from('hi')), ping(7)]);
  assert.deepEqual(r.push(bytes.subarray(0, 5)), []);
  const frames = r.push(bytes.subarray(5));
  assert.equal(frames.length, 2);
  assert.deepEqual(frames[0], { kind: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.from('hi') });
  assert.equal(frames[1]!.kind, 'control');
});

test('header blocks share one compression context per direction', () => {
  const c = new HeaderCompressor();
  const d = new HeaderDecompressor();
  for (let i = 0; i < 3; i++) assert.deepEqual(d.decompress(c.compress({ streamType: 'data', port: '80', requestID: String(i) })), { streamtype: 'data', port: '80', requestid: String(i) });
  c.close();
  d.close();
});

async function pair(): Promise<{ client: SpdySession; server: SpdySession; close: () => void }> {
  const sockets: Socket[] = [];
  const srv = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const c = connect(port, '127.0.0.1');
  await new Promise((r) => c.once('connect', r));
  while (!sockets.length) await new Promise((r) => setTimeout(r, 5));
  return { client: new SpdySession(c, 'client'), server: new SpdySession(sockets[0]!, 'server'), close: () => (c.destroy(), srv.close()) };
}

test('streams carry headers, data both ways, half-close and reset', async () => {
  const { client, server, close } = await pair();
  try {
    const got = new Promise<SpdyStream>((r) => server.once('stream', r));
    const s = await client.openStream({ streamType: 'stdin' });
    const peer = await got;
    assert.equal(peer.headers.streamtype, 'stdin');
    assert.equal(s.id % 2, 1);
    s.end('hello ' + 'x'.repeat(200_000));
    const chunks: Buffer[] = [];
    peer.on('data', (d: Buffer) => chunks.push(d));
    await new Promise((r) => peer.once('end', r));
    assert.equal(Buffer.concat(chunks).length, 6 + 200_000);
    peer.end('bye');
    const back: Buffer[] = [];
    s.on('data', (d: Buffer) => back.push(d));
    await new Promise((r) => s.once('end', r));
    assert.equal(Buffer.concat(back).toString(), 'bye');
    const got2 = new Promise<SpdyStream>((r) => server.once('stream', r));
    const s2 = await client.openStream({ streamType: 'error' });
    const p2 = await got2;
    const reset = new Promise((r) => p2.once('reset', r));
    s2.reset();
    await reset;
  } finally {
    close();
  }
});
