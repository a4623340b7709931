// Turns a request body into an object of the resource's kind: media type, JSON/YAML decoding,
// kind/apiVersion checks, and field validation (Strict / Warn / Ignore) against the schema.
import type { IncomingMessage } from 'node:http';
import type { KObject } from '../api/types.js';
import { isPlainObject } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import { StatusError, badRequest } from '../api/errors.js';
import { structOf, schemas } from '../api/schema/index.js';
import { checkStructure, strictDecodingMessage, strictDecodingProblems, typeErrorMessage } from '../api/schema/structure.js';
import { findDuplicateFields } from '../api/schema/duplicate-fields.js';
import { decodeDocument, mediaType, noteRequestObject, readBody } from './body.js';
import { decodeProtobufBody, PROTOBUF_MEDIA_TYPE } from '../api/protobuf/index.js';
import { apiVersionOf } from './registry/convert.js';
import { unknownCustomFields } from './crd/decode-check.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v} (supported values: Ignore, Warn, Strict)`);
}

export interface DecodeTarget {
  info: ResourceInfo;
  version: string;
  /** Schema name of the kind in this version (for subresources like scale: the Scale kind). */
  schema: string;
  kind: string;
  group: string;
}

export async function readObject(req: IncomingMessage, target: DecodeTarget, fv: FieldValidation, warnings: string[]): Promise<KObject> {
  const obj = await decodeObject(req, target, fv, warnings);
  noteRequestObject(req, obj);
  return obj;
}

async function decodeObject(req: IncomingMessage, target: DecodeTarget, fv: FieldValidation, warnings: string[]): Promise<KObject> {
  const buf = await readBody(req);
  const mt = mediaType(req.headers['content-type']);
  let format: 'json' | 'yaml';
  if (mt === 'application/json' || mt === '*/*' || mt === '') format = 'json';
  else if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') format = 'yaml';
  else if (mt === PROTOBUF_MEDIA_TYPE) {
    return checkObject(decodeProtobufBody(buf).object, target, fv, warnings);
  } else throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
  const { value, duplicates } = decodeDocument(buf, format);
  const dups = format === 'json' && fv !== 'Ignore' ? findDuplicateFields(buf.toString('utf8')) : duplicates;
  return checkObject(value, target, fv, warnings, dups);
}

/** Checks a decoded value against the kind's schema, pruning unknown fields; reports per policy. */
export function checkObject(value: unknown, target: DecodeTarget, fv: FieldValidation, warnings: string[], duplicates: string[] = []): KObject {
  const expectedApiVersion = apiVersionOf(target.group, target.version);
  if (!isPlainObject(value)) {
    throw badRequest(`${target.kind} in version "${target.version}" cannot be handled as a ${target.kind}: json: cannot unmarshal ${jsonTypeName(value)} into Go value of type struct`);
  }
  const obj = value as KObject;
  if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== target.kind) {
    throw badRequest(`${String(obj.kind)} in version "${target.version}" cannot be handled as a ${target.kind}: no kind "${String(obj.kind)}" is registered for version "${expectedApiVersion}"`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== '' && obj.apiVersion !== expectedApiVersion) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expectedApiVersion})`);
  }
  if (obj.metadata !== undefined && obj.metadata !== null && !isPlainObject(obj.metadata)) {
    throw badRequest(typeErrorMessage(target.kind, target.version, `json: cannot unmarshal ${jsonTypeName(obj.metadata)} into Go struct field ${target.kind}.metadata of type v1.ObjectMeta`));
  }
  if (schemas.has(target.schema)) {
    const res = checkStructure(obj, target.schema, structOf);
    if (res.errors.length) throw badRequest(typeErrorMessage(target.kind, target.version, res.errors[0]!));
    if (fv === 'Strict' && (res.unknown.length || duplicates.length)) {
      throw badRequest(typeErrorMessage(target.kind, target.version, strictDecodingMessage(res.unknown, duplicates, obj)));
    }
    if (fv === 'Warn') warnings.push(...strictDecodingProblems(res.unknown, duplicates, obj));
    // Unknown fields are dropped in every mode, as decoding into the typed object does upstream.
    if (res.unknown.length) checkStructure(obj, target.schema, structOf, { prune: true });
  } else {
    // Custom resources: the CRD's schema for this version (the store prunes them on write).
    const unknown = unknownCustomFields(target.info, target.version, obj);
    if (unknown && fv === 'Strict' && (unknown.length || duplicates.length)) {
      throw badRequest(typeErrorMessage(target.kind, target.version, strictDecodingMessage(unknown, duplicates, obj)));
    }
    if (unknown && fv === 'Warn') warnings.push(...strictDecodingProblems(unknown, duplicates, obj));
  }
  obj.metadata ??= {};
  obj.apiVersion = expectedApiVersion;
  obj.kind = target.kind;
  return obj;
}

function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}
