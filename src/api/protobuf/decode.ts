// Decodes Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf, what kubectl 1.32's
// typed commands POST) into the JSON object a JSON client would have sent, so everything after the
// body parser sees one shape. The body is the magic `k8s\0` and a runtime.Unknown envelope whose
// `raw` is the object's message; the schema DSL says what each field is, the field tables say
// which number it travels under. See docs/protobuf.md for the mapping rules.
import { StatusError } from '../errors.js';
import type { Schema, StructDef } from '../schema/dsl.js';
import { schemas, structForKind } from '../schema/index.js';
import { isPlainObject } from '../types.js';
import { intOrString, quantity, rawJson, time } from './well-known.js';
import { expectWire, hasProtobufMagic, malformed, PROTOBUF_MAGIC, WireReader, WireType } from './wire.js';

export { hasProtobufMagic, PROTOBUF_MAGIC } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** Field numbers and JSON-shape facts, in the format of the fields-*.ts files. */
export interface FieldTables {
  /** struct name → JSON field → protobuf field number. */
  fields: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** struct name → JSON field → [wrapper field number, member number inside the wrapper]. */
  inlineMembers: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>>;
  /** struct name → scalar fields whose zero value JSON omits (non-pointer Go fields with omitempty). */
  omitEmpty: Readonly<Record<string, readonly string[]>>;
  /** struct name → fields JSON-encoded as null when unset (nil slices, maps, pointers without omitempty). */
  nullWhenAbsent: Readonly<Record<string, readonly string[]>>;
}

export interface DecodedBody {
  apiVersion: string;
  kind: string;
  /** The object, apiVersion and kind first, as a JSON client would send it. */
  object: Record<string, unknown>;
}

/** Deeper nesting than any real object reaches; bounds recursion on hostile input. */
const MAX_DEPTH = 100;

/** Decodes a whole protobuf request body; every failure is a StatusError. */
export function decodeProtobufBody(buf: Uint8Array, tables: FieldTables): DecodedBody {
  if (!hasProtobufMagic(buf)) {
    throw new StatusError(400, 'BadRequest', 'the request body is not a Kubernetes protobuf envelope: it does not start with the bytes "k8s\\x00"');
  }
  const env = decodeEnvelope(new WireReader(buf, PROTOBUF_MAGIC.length));
  if (!env.kind) throw new StatusError(400, 'BadRequest', "Object 'Kind' is missing in the protobuf request body");
  if (!env.apiVersion) throw new StatusError(400, 'BadRequest', "Object 'apiVersion' is missing in the protobuf request body");
  if (env.contentEncoding) {
    throw new StatusError(415, 'UnsupportedMediaType', `the protobuf request body uses content encoding "${env.contentEncoding}"; only unencoded bodies are supported`);
  }
  const struct = structFor(env.apiVersion, env.kind);
  if (!struct) throw new StatusError(415, 'UnsupportedMediaType', `no kind "${env.kind}" is registered for version "${env.apiVersion}"`);
  // apiVersion and kind first, as a JSON client sends them; the message itself carries neither.
  const object = decodeStruct(new WireReader(env.raw), struct.name, new Ctx(tables, 0, undefined, ''), { apiVersion: env.apiVersion, kind: env.kind });
  return { apiVersion: env.apiVersion, kind: env.kind, object };
}

/** apiVersion → kind → struct, so a body's kind costs two map lookups. */
const kinds = new Map<string, Map<string, StructDef>>();

function structFor(apiVersion: string, kind: string): StructDef | undefined {
  const known = kinds.get(apiVersion)?.get(kind);
  if (known) return known;
  const slash = apiVersion.indexOf('/');
  const struct = slash < 0 ? structForKind('', apiVersion, kind) : structForKind(apiVersion.slice(0, slash), apiVersion.slice(slash + 1), kind);
  // Only what the schema registry knows is remembered: a client cannot grow these maps.
  if (struct) {
    let byKind = kinds.get(apiVersion);
    if (!byKind) kinds.set(apiVersion, (byKind = new Map()));
    byKind.set(kind, struct);
  }
  return struct;
}

/** Decodes one message of the named schema struct (no envelope). */
export function decodeMessage(bytes: Uint8Array, structName: string, tables: FieldTables): Record<string, unknown> {
  return decodeStruct(new WireReader(bytes), structName, new Ctx(tables, 0, undefined, ''), {});
}

// --- envelope ----------------------------------------------------------------------------------

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
}

/** runtime.Unknown: typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3, contentType = 4. */
function decodeEnvelope(r: WireReader): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '' };
  while (!r.done()) {
    const key = r.key();
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 1) {
      expectWire(wireType, WireType.LengthDelimited, 'typeMeta');
      const t = r.message();
      while (!t.done()) {
        const inner = t.key();
        const innerField = inner >>> 3;
        if (innerField === 1 || innerField === 2) {
          expectWire(inner & 7, WireType.LengthDelimited, innerField === 1 ? 'typeMeta.apiVersion' : 'typeMeta.kind');
          const s = t.string();
          if (innerField === 1) env.apiVersion = s;
          else env.kind = s;
        } else t.skip(inner & 7);
      }
    } else if (field === 2) {
      expectWire(wireType, WireType.LengthDelimited, 'raw');
      env.raw = r.bytes();
    } else if (field === 3) {
      expectWire(wireType, WireType.LengthDelimited, 'contentEncoding');
      env.contentEncoding = r.string();
    } else r.skip(wireType); // contentType (4) is informational: the outer media type already chose protobuf.
  }
  return env;
}

// --- plans: the tables compiled per struct for lookups by field number ----------------------------

interface Slot {
  name: string;
  schema: Schema;
  omitZero: boolean;
  /** For a message field: the plan of its struct, looked up on first use. */
  plan?: Plan;
}

type Slots = (Slot | undefined)[];

interface Plan {
  /** Indexed by field number (Kubernetes messages use small numbers): faster than a Map. */
  slots: Slots;
  nulls: readonly string[];
  /** wrapper field number → member number → slot. */
  inline: Map<number, Slots>;
}

const planCache = new WeakMap<FieldTables, Map<string, Plan>>();

function planFor(tables: FieldTables, name: string): Plan {
  let cache = planCache.get(tables);
  if (!cache) planCache.set(tables, (cache = new Map()));
  const cached = cache.get(name);
  if (cached) return cached;

  const struct = schemas.get(name);
  const numbers = tables.fields[name];
  if (!struct || !numbers) {
    throw new StatusError(415, 'UnsupportedMediaType', `protobuf decoding of ${name} is not supported; send the object as application/json`);
  }
  const omit = new Set(tables.omitEmpty[name] ?? []);
  const slot = (json: string): Slot | undefined => {
    const def = struct.fields[json];
    return def && { name: json, schema: def.schema, omitZero: omit.has(json) };
  };
  const plan: Plan = { slots: [], inline: new Map(), nulls: (tables.nullWhenAbsent[name] ?? []).filter((f) => f in struct.fields) };
  for (const [json, n] of Object.entries(numbers)) {
    const s = slot(json);
    if (s) plan.slots[n] = s;
  }
  for (const [json, [wrapper, member]] of Object.entries(tables.inlineMembers[name] ?? {})) {
    const s = slot(json);
    if (!s) continue;
    let members = plan.inline.get(wrapper);
    if (!members) plan.inline.set(wrapper, (members = []));
    members[member] = s;
  }
  cache.set(name, plan);
  return plan;
}

// --- messages and values -------------------------------------------------------------------------

/**
 * Where decoding is: the tables, the nesting depth, and the JSON path for error messages, built
 * only when an error needs it (joining path strings for every field was a third of decoding).
 */
class Ctx {
  constructor(
    readonly tables: FieldTables,
    readonly depth: number,
    private readonly parent: Ctx | undefined,
    private readonly seg: string,
    private readonly index = -1,
  ) {}

  get path(): string {
    const base = this.parent ? this.parent.path : '';
    const p = this.seg ? (base ? `${base}.${this.seg}` : this.seg) : base;
    return this.index >= 0 ? `${p}[${this.index}]` : p;
  }

  /** The context of a member `seg` (or of item `index` of it). */
  at(seg: string, index = -1): Ctx {
    return new Ctx(this.tables, this.depth, this, seg, index);
  }

  /** One message deeper, bounded against hostile nesting. */
  deeper(): Ctx {
    return this.child('');
  }

  /** One message deeper, at member `seg`. */
  child(seg: string, index = -1): Ctx {
    if (this.depth >= MAX_DEPTH) throw malformed(`messages nested deeper than ${MAX_DEPTH} levels at ${this.at(seg, index).path}`);
    return new Ctx(this.tables, this.depth + 1, this, seg, index);
  }
}

/** expectWire, with the path built only for the error. */
function expect(actual: number, expected: number, ctx: Ctx): void {
  if (actual !== expected) expectWire(actual, expected, ctx.path);
}

function decodeStruct(r: WireReader, name: string, ctx: Ctx, out: Record<string, unknown>): Record<string, unknown> {
  return decodePlan(r, planFor(ctx.tables, name), ctx, out);
}

function decodePlan(r: WireReader, plan: Plan, ctx: Ctx, out: Record<string, unknown>): Record<string, unknown> {
  readFields(r, plan.slots, plan.inline, ctx, out);
  for (const f of plan.nulls) if (!(f in out)) out[f] = null;
  return out;
}

function readFields(r: WireReader, slots: Slots, inline: Map<number, Slots> | undefined, ctx: Ctx, out: Record<string, unknown>): void {
  while (!r.done()) {
    const key = r.key();
    const field = key >>> 3;
    const wireType = key & 7;
    const slot = slots[field];
    if (slot) {
      readSlot(r, wireType, slot, ctx, out);
      continue;
    }
    const members = inline?.get(field);
    if (members) {
      // An inline-embedded struct: its members land on the parent object.
      if (wireType !== WireType.LengthDelimited) expectWire(wireType, WireType.LengthDelimited, ctx.path || 'object');
      readFields(r.message(), members, undefined, ctx.deeper(), out);
      continue;
    }
    r.skip(wireType); // unknown to kts: a newer field or one kts does not model
  }
}

function readSlot(r: WireReader, wireType: number, slot: Slot, ctx: Ctx, out: Record<string, unknown>): void {
  const s = slot.schema;
  // The common scalars first, without a context object: one is made only for an error.
  if (s.type === 'string' && s.format !== 'byte' && wireType === WireType.LengthDelimited) {
    const v = r.string();
    if (slot.omitZero && v === '') delete out[slot.name];
    else out[slot.name] = v;
    return;
  }
  if ((s.type === 'integer' || s.type === 'boolean') && wireType === WireType.Varint) {
    const v = s.type === 'boolean' ? r.bool() : s.format === 'int32' ? r.int32() : r.int64();
    if (slot.omitZero && (v === 0 || v === false)) delete out[slot.name];
    else out[slot.name] = v;
    return;
  }
  if (s.type === 'ref' && wireType === WireType.LengthDelimited) {
    // A message field seen twice merges, as protobuf specifies.
    const prev = out[slot.name];
    const plan = (slot.plan ??= planFor(ctx.tables, s.ref));
    out[slot.name] = decodePlan(r.message(), plan, ctx.child(slot.name), prev !== undefined && isPlainObject(prev) ? prev : {});
    return;
  }
  if (s.type === 'array') {
    const prev = out[slot.name];
    const list: unknown[] = Array.isArray(prev) ? prev : [];
    out[slot.name] = list;
    const packedAs = scalarWireType(s.items);
    if (wireType === WireType.LengthDelimited && packedAs !== undefined) {
      const packed = r.message();
      while (!packed.done()) list.push(readValue(packed, packedAs, s.items, ctx, slot.name, list.length));
    } else {
      list.push(readValue(r, wireType, s.items, ctx, slot.name, list.length));
    }
    return;
  }
  if (s.type === 'map') {
    const here = ctx.at(slot.name);
    expect(wireType, WireType.LengthDelimited, here);
    const prev = out[slot.name];
    const map: Record<string, unknown> = isPlainObject(prev) ? prev : {};
    out[slot.name] = map;
    readMapEntry(r.message(), s.values, here.deeper(), map);
    return;
  }
  if (s.type === 'ref') {
    // A message field seen twice merges, as protobuf specifies.
    const here = ctx.at(slot.name);
    expect(wireType, WireType.LengthDelimited, here);
    const prev = out[slot.name];
    out[slot.name] = decodeStruct(r.message(), s.ref, here.deeper(), isPlainObject(prev) ? prev : {});
    return;
  }
  const v = readValue(r, wireType, s, ctx, slot.name);
  if (slot.omitZero && (v === '' || v === 0 || v === false)) delete out[slot.name];
  else out[slot.name] = v;
}

/** A map entry message: key = 1 (string), value = 2. */
function readMapEntry(e: WireReader, values: Schema, ctx: Ctx, map: Record<string, unknown>): void {
  let key = '';
  let value: unknown;
  while (!e.done()) {
    const { field, wireType } = e.tag();
    if (field === 1) {
      if (wireType !== WireType.LengthDelimited) expectWire(wireType, WireType.LengthDelimited, `${ctx.path} (map key)`);
      key = e.string();
    } else if (field === 2) {
      value = readValue(e, wireType, values, ctx, '');
    } else e.skip(wireType);
  }
  map[key] = value === undefined ? zeroValue(values) : value;
}

/** A value of schema `s` at member `seg` (item `index` of it, for lists) of `parent`. */
function readValue(r: WireReader, wireType: number, s: Schema, parent: Ctx, seg: string, index = -1): unknown {
  switch (s.type) {
    case 'string': {
      if (wireType !== WireType.LengthDelimited) expect(wireType, WireType.LengthDelimited, parent.at(seg, index));
      if (s.format !== 'byte') return r.string();
      const b = r.bytes();
      return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
    }
    case 'integer':
      if (wireType !== WireType.Varint) expect(wireType, WireType.Varint, parent.at(seg, index));
      return s.format === 'int32' ? r.int32() : r.int64();
    case 'number':
      if (wireType !== WireType.Fixed64) expect(wireType, WireType.Fixed64, parent.at(seg, index));
      return r.double();
    case 'boolean':
      if (wireType !== WireType.Varint) expect(wireType, WireType.Varint, parent.at(seg, index));
      return r.bool();
    case 'ref':
      if (wireType !== WireType.LengthDelimited) expect(wireType, WireType.LengthDelimited, parent.at(seg, index));
      return decodeStruct(r.message(), s.ref, parent.child(seg, index), {});
    case 'int-or-string':
      expect(wireType, WireType.LengthDelimited, parent.at(seg, index));
      return intOrString(r.message(), parent.at(seg, index).path);
    case 'quantity':
      expect(wireType, WireType.LengthDelimited, parent.at(seg, index));
      return quantity(r.message(), parent.at(seg, index).path);
    case 'time':
      expect(wireType, WireType.LengthDelimited, parent.at(seg, index));
      return time(r.message(), s.micro === true, parent.at(seg, index).path);
    case 'any':
      expect(wireType, WireType.LengthDelimited, parent.at(seg, index));
      return rawJson(r.message(), parent.at(seg, index).path);
    case 'map':
    case 'array':
      // Protobuf has no list of lists or list of maps; no Kubernetes schema declares one.
      throw new StatusError(415, 'UnsupportedMediaType', `protobuf decoding of nested collections (${parent.at(seg, index).path}) is not supported`);
  }
}

/** The wire type a packable scalar travels as; undefined for types that cannot be packed. */
function scalarWireType(s: Schema): number | undefined {
  if (s.type === 'integer' || s.type === 'boolean') return WireType.Varint;
  if (s.type === 'number') return WireType.Fixed64;
  return undefined;
}

/** What an absent map value means: the Go zero value, as JSON. */
function zeroValue(s: Schema): unknown {
  switch (s.type) {
    case 'string': return '';
    case 'integer': case 'number': case 'int-or-string': return 0;
    case 'boolean': return false;
    case 'quantity': return '0';
    case 'ref': case 'map': return {};
    case 'array': return [];
    case 'time': case 'any': return null;
  }
}

