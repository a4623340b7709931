// Reads and decodes request bodies: size limit (3 MiB, as upstream), content types, JSON and YAML.
// Decoding problems become 4xx Status errors, never exceptions that reach the client as 500s.
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { StatusError, badRequest, tooLarge } from '../api/errors.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The raw body of each request read so far (the audit log records it at level Request and above). */
const rawBodies = new WeakMap<IncomingMessage, Buffer>();

export function rawBody(req: IncomingMessage): Buffer | undefined {
  return rawBodies.get(req);
}

/** Requests whose decoded object the audit log wants (level Request and above). */
const wantObject = new WeakSet<IncomingMessage>();
const decoded = new WeakMap<IncomingMessage, { name?: string; json?: string }>();

export function wantRequestObject(req: IncomingMessage): void {
  wantObject.add(req);
}

/** Called with the decoded request object (any wire format): its name, and a snapshot if wanted. */
export function noteRequestObject(req: IncomingMessage, obj: { metadata?: { name?: string } }): void {
  decoded.set(req, { name: obj.metadata?.name, json: wantObject.has(req) ? JSON.stringify(obj) : undefined });
}

export function requestObjectOf(req: IncomingMessage): { name?: string; json?: string } | undefined {
  return decoded.get(req);
}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(b);
  }
  const body = Buffer.concat(chunks);
  rawBodies.set(req, body);
  return body;
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

export interface DecodedBody {
  value: unknown;
  /** Paths of duplicated fields (YAML decoding reports them; JSON is checked separately). */
  duplicates: string[];
}

/** Decodes a JSON or YAML document. Errors read like upstream's decoder errors. */
export function decodeDocument(buf: Buffer, format: 'json' | 'yaml'): DecodedBody {
  const text = buf.toString('utf8');
  if (format === 'json') {
    if (text.trim() === '') throw badRequest('Object \'Kind\' is missing in \'\'');
    try {
      return { value: JSON.parse(text), duplicates: [] };
    } catch (e) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, strict: false });
  } catch (e) {
    throw badRequest(`yaml: ${(e as Error).message}`);
  }
  if (doc.errors.length > 0) throw badRequest(`error converting YAML to JSON: yaml: ${doc.errors[0]!.message.split('\n')[0]}`);
  const duplicates: string[] = [];
  collectYamlDuplicates(doc.contents, '', duplicates);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
  }
  return { value, duplicates };
}

interface YamlNodeLike {
  items?: { key?: unknown; value?: unknown }[];
}

function collectYamlDuplicates(node: unknown, path: string, out: string[]): void {
  if (!node || typeof node !== 'object') return;
  const items = (node as YamlNodeLike).items;
  if (!Array.isArray(items)) return;
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (item && typeof item === 'object' && 'key' in item) {
      const k = scalarText(item.key);
      const p = path ? `${path}.${k}` : k;
      if (seen.has(k)) out.push(p);
      seen.add(k);
      collectYamlDuplicates(item.value, p, out);
    } else {
      collectYamlDuplicates(item, `${path}[${i}]`, out);
    }
  });
}

function scalarText(k: unknown): string {
  if (k && typeof k === 'object' && 'value' in k) return String((k as { value: unknown }).value);
  return String(k);
}

/** Chooses the decoder for a request's content type, or throws 415. */
export function formatFor(contentType: string | undefined, allowed: string[]): string {
  const mt = mediaType(contentType);
  if (!allowed.includes(mt)) {
    throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${allowed.join(', ')}`);
  }
  return mt;
}
