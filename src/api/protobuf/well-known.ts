// The apimachinery messages that JSON shows as scalars or raw JSON: intstr.IntOrString,
// resource.Quantity, meta/v1 Time and MicroTime, runtime.RawExtension and meta/v1 FieldsV1.
// Each takes a reader over the message's bytes and the JSON path for error messages.
import { StatusError } from '../errors.js';
import { expectWire, hasProtobufMagic, malformed, utf8Decode, type WireReader, WireType } from './wire.js';

/** intstr.IntOrString: type = 1 (0 int, 1 string), intVal = 2, strVal = 3. */
export function intOrString(r: WireReader, path: string): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWire(wireType, WireType.Varint, `${path}.type`);
      type = r.int64();
    } else if (field === 2) {
      expectWire(wireType, WireType.Varint, `${path}.intVal`);
      intVal = r.int32();
    } else if (field === 3) {
      expectWire(wireType, WireType.LengthDelimited, `${path}.strVal`);
      strVal = r.string();
    } else r.skip(wireType);
  }
  return type === 1 ? strVal : intVal;
}

/** resource.Quantity: string = 1, in its serialized form; an empty message is the zero quantity. */
export function quantity(r: WireReader, path: string): string {
  let s = '0';
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWire(wireType, WireType.LengthDelimited, path);
      s = r.string();
    } else r.skip(wireType);
  }
  return s;
}

// Go's time.Time JSON range: years 0 through 9999.
const MIN_SECONDS = -62_167_219_200;
const MAX_SECONDS = 253_402_300_799;

/**
 * meta/v1 Time and MicroTime: seconds = 1, nanos = 2. An empty message is the zero time (JSON null).
 * Time is second-precision, as upstream's Time.Unmarshal drops the nanos; MicroTime keeps
 * microseconds and prints six fraction digits.
 */
export function time(r: WireReader, micro: boolean, path: string): string | null {
  if (r.done()) return null;
  let seconds = 0;
  let nanos = 0;
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWire(wireType, WireType.Varint, `${path}.seconds`);
      seconds = r.int64();
    } else if (field === 2) {
      expectWire(wireType, WireType.Varint, `${path}.nanos`);
      nanos = r.int32();
    } else r.skip(wireType);
  }
  if (!micro) nanos = 0;
  seconds += Math.floor(nanos / 1e9);
  nanos = ((nanos % 1e9) + 1e9) % 1e9;
  if (!Number.isSafeInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw malformed(`time ${seconds}s at ${path} is outside the years 0 to 9999`);
  }
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/**
 * runtime.RawExtension (raw = 1) and meta/v1 FieldsV1 (Raw = 1): bytes holding a JSON document.
 * Empty means null, as their JSON marshallers say.
 */
export function rawJson(r: WireReader, path: string): unknown {
  let raw: Uint8Array | undefined;
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWire(wireType, WireType.LengthDelimited, path);
      raw = r.bytes();
    } else r.skip(wireType);
  }
  if (!raw || raw.length === 0) return null;
  if (hasProtobufMagic(raw)) {
    throw new StatusError(415, 'UnsupportedMediaType', `${path} embeds a protobuf-encoded object; only JSON is supported inside RawExtension fields`);
  }
  try {
    return JSON.parse(utf8Decode(raw)) as unknown;
  } catch {
    throw malformed(`${path} does not hold a JSON document`);
  }
}
