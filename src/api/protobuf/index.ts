// The protobuf request-body decoder with kts's built-in tables: field numbers of meta/v1, core/v1
// and the other groups, inline members, and the Go JSON-shape facts (json-shape.ts). The apiserver's body parser calls
// decodeProtobufBody for `Content-Type: application/vnd.kubernetes.protobuf`.
import { decodeProtobufBody as decodeWith, type DecodedBody, type FieldTables } from './decode.js';
import { fields as coreFields, inlineMembers as coreInline } from './fields-core.js';
import { fields as groupFields, inlineMembers as groupInline } from './fields-groups.js';
import { fields as metaFields, inlineMembers as metaInline } from './fields-meta.js';
import { fields as authFields } from './fields-auth.js';
import { nullWhenAbsent, omitEmpty } from './json-shape.js';
import * as certificates from './fields-certificates.js';

export { decodeMessage, hasProtobufMagic, PROTOBUF_MAGIC, PROTOBUF_MEDIA_TYPE } from './decode.js';
export type { DecodedBody, FieldTables } from './decode.js';

export const builtinTables: FieldTables = {
  fields: { ...metaFields, ...coreFields, ...groupFields, ...certificates.fields, ...authFields },
  inlineMembers: { ...metaInline, ...coreInline, ...groupInline },
  omitEmpty: { ...omitEmpty, ...certificates.omitEmpty },
  nullWhenAbsent: { ...nullWhenAbsent, ...certificates.nullWhenAbsent },
};

/**
 * Decodes a protobuf request body (magic, runtime.Unknown, object) into the JSON object a JSON client
 * would send. Malformed bodies are StatusError 400; kinds or encodings kts cannot decode are 415.
 */
export function decodeProtobufBody(buf: Uint8Array, tables: FieldTables = builtinTables): DecodedBody {
  return decodeWith(buf, tables);
}
