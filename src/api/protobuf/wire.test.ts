import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { WireReader, WireType } from './wire.js';

const reader = (...bytes: number[]) => new WireReader(Uint8Array.from(bytes));

function assertMalformed(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest' && pattern.test(e.message));
}

test('varints of one to ten bytes', () => {
  assert.equal(reader(0x00).varint(), 0n);
  assert.equal(reader(0x7f).varint(), 127n);
  assert.equal(reader(0xac, 0x02).varint(), 300n);
  // 2^28 sits just past the fast path.
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x01).varint(), 2n ** 28n);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).varint(), 2n ** 64n - 1n);
});

test('negative int32 arrives as a ten-byte varint and int64 keeps its sign', () => {
  const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  assert.equal(reader(...minusOne).int32(), -1);
  assert.equal(reader(...minusOne).int64(), -1);
  // -5 as int32: 0xfffffffffffffffb.
  assert.equal(reader(0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).int32(), -5);
  // 2^31 - 1 stays positive; 2^40 is kept whole by int64.
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x07).int32(), 2147483647);
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x20).int64(), 2 ** 40);
});

test('bool, double and length-delimited bytes', () => {
  assert.equal(reader(0x01).bool(), true);
  assert.equal(reader(0x00).bool(), false);
  const buf = Buffer.alloc(8);
  buf.writeDoubleLE(0.75);
  assert.equal(new WireReader(buf).double(), 0.75);
  const r = reader(0x03, 0x61, 0x62, 0x63, 0x05);
  assert.deepEqual([...r.bytes()], [0x61, 0x62, 0x63]);
  assert.equal(r.varint(), 5n);
  assert.ok(r.done());
});

test('tags carry the field number and wire type', () => {
  assert.deepEqual(reader(0x0a).tag(), { field: 1, wireType: WireType.LengthDelimited });
  assert.deepEqual(reader(0x80, 0x01).tag(), { field: 16, wireType: WireType.Varint });
  assertMalformed(() => reader(0x02).tag(), /illegal field number 0/);
});

test('an embedded message reader stops at its own end', () => {
  const r = reader(0x02, 0x08, 0x01, 0x10, 0x02);
  const m = r.message();
  assert.deepEqual(m.tag(), { field: 1, wireType: WireType.Varint });
  assert.equal(m.varint(), 1n);
  assert.ok(m.done());
  assert.deepEqual(r.tag(), { field: 2, wireType: WireType.Varint });
});

test('skip passes over every supported wire type', () => {
  const r = reader(0x96, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 9, 9, 1, 2, 3, 4, 0x2a);
  r.skip(WireType.Varint);
  r.skip(WireType.Fixed64);
  r.skip(WireType.LengthDelimited);
  r.skip(WireType.Fixed32);
  assert.equal(r.varint(), 42n);
  assertMalformed(() => reader(0x00).skip(WireType.StartGroup), /unsupported wire type 3/);
  assertMalformed(() => reader(0x00).skip(7), /unsupported wire type 7/);
});

test('truncated and oversized input is a 400, never a read past the end', () => {
  assertMalformed(() => reader(0x80).varint(), /unexpected end of data at byte 1/);
  assertMalformed(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).varint(), /longer than 10 bytes/);
  assertMalformed(() => reader(1, 2, 3).double(), /8 bytes needed, 3 left/);
  assertMalformed(() => reader(0x05, 0x61).bytes(), /length 5 at byte 0 exceeds the 1 bytes left/);
  // A declared length of 2^63 must be refused before anything is sized by it.
  assertMalformed(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).bytes(), /exceeds the 0 bytes left/);
  // A nested reader cannot read into its parent's remaining bytes.
  const outer = reader(0x01, 0x80, 0x01);
  assertMalformed(() => outer.message().varint(), /unexpected end of data at byte 2/);
});

test('strings: short ASCII (built in JavaScript), non-ASCII, invalid UTF-8 and long ones decode as Buffer would', () => {
  const enc = (b: Buffer) => Uint8Array.from([b.length, ...b]);
  for (const text of ['', 'a', 'nginx', 'sixteen-chars-ok', 'seventeen-chars-x', 'héllo', 'ünïcödé-läbel', '日本', 'a'.repeat(100)]) {
    const r = new WireReader(enc(Buffer.from(text, 'utf8')));
    assert.equal(r.string(), text);
    assert.ok(r.done());
  }
  // Invalid bytes become U+FFFD (as Go's JSON encoder does), short or long.
  for (const bad of [Buffer.from([0x61, 0xff, 0x62]), Buffer.concat([Buffer.from('x'.repeat(20)), Buffer.from([0xc3])])]) {
    assert.equal(new WireReader(enc(bad)).string(), bad.toString('utf8'));
  }
  // A length past the end is refused before reading.
  assertMalformed(() => reader(0x05, 0x61).string(), /length 5 at byte 0 exceeds the 1 bytes left/);
});
