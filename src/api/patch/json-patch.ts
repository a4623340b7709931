// JSON Patch (RFC 6902) as kube-apiserver applies it (application/json-patch+json), following the
// evanphx/json-patch v4 library upstream uses: add, remove, replace, move, copy, test; `-` appends;
// negative array indices count from the end (a v4 extension upstream keeps enabled).
//
// Errors match upstream: a body that is not a list of operation objects is 400 BadRequest; an
// operation that does not apply is 422 Invalid with the fixed message upstream sends (it drops the
// library's reason; kubectl prints `The request is invalid: the server rejected ...`). The reason
// is kept on the error's `cause` for logs.
import { StatusError, badRequest, tooLarge } from '../errors.js';
import { cloneJson, hasOwn, isObject, jsonEqual, jsonKind, setKey } from './json-value.js';

/** Upstream's cap on operations in one JSON patch (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

export const PATCH_NOT_APPLIED_MESSAGE = 'the server rejected our request due to an error in our request';

/** The 422 upstream answers when a JSON patch does not apply; `reason` says why (kept as `cause`). */
export function patchNotApplied(reason: string): StatusError {
  const err = new StatusError(422, 'Invalid', PATCH_NOT_APPLIED_MESSAGE, {});
  err.cause = reason;
  return err;
}

class NotApplied extends Error {}

/** Splits a JSON pointer into unescaped tokens; `""` is the whole document. */
export function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new NotApplied(`JSON pointer must be empty or start with a "/": ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((t) => (t.includes('~') ? t.replace(/~1/g, '/').replace(/~0/g, '~') : t));
}

type Container = Record<string, unknown> | unknown[];

/** Array index for `token` in an array of `len` items; `extra` is 1 when inserting (index len allowed). */
function arrayIndex(token: string, len: number, extra: 0 | 1): number {
  if (!/^-?[0-9]+$/.test(token)) throw new NotApplied(`value was not a proper array index: '${token}'`);
  let i = Number(token);
  if (i < 0) i += len + extra;
  if (i < 0 || i >= len + extra) throw new NotApplied(`Unable to access invalid index: ${token}: invalid index referenced`);
  return i;
}

/** The value at `tokens`, or `missing` when any step does not exist. */
const missing = Symbol('missing');
function getAt(doc: unknown, tokens: string[]): unknown {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      if (!/^-?[0-9]+$/.test(t)) return missing;
      let i = Number(t);
      if (i < 0) i += cur.length;
      if (i < 0 || i >= cur.length) return missing;
      cur = cur[i];
    } else if (isObject(cur)) {
      if (!hasOwn(cur, t)) return missing;
      cur = cur[t];
    } else {
      return missing;
    }
  }
  return cur;
}

/** The container holding the last token, or undefined when the parent path does not exist. */
function parentOf(doc: unknown, tokens: string[]): Container | undefined {
  const p = getAt(doc, tokens.slice(0, -1));
  return Array.isArray(p) || isObject(p) ? p : undefined;
}

interface Op {
  op: unknown;
  path?: unknown;
  from?: unknown;
  value?: unknown;
}

function str(v: unknown, what: string, op: string): string {
  if (typeof v !== 'string') throw new NotApplied(`${op} operation missing ${what}`);
  return v;
}

/** Applies one operation to `state.doc` (which may be replaced when the root is targeted). */
function applyOne(state: { doc: unknown }, o: Op): void {
  const kind = o.op;
  switch (kind) {
    case 'add': {
      if (!hasOwn(o, 'value')) throw new NotApplied('add operation missing value');
      insert(state, parsePointer(str(o.path, 'path', 'add')), cloneJson(o.value), 'add');
      return;
    }
    case 'remove': {
      const path = str(o.path, 'path', 'remove');
      remove(state, parsePointer(path), 'remove', path);
      return;
    }
    case 'replace': {
      if (!hasOwn(o, 'value')) throw new NotApplied('replace operation missing value');
      const path = str(o.path, 'path', 'replace');
      const tokens = parsePointer(path);
      if (getAt(state.doc, tokens) === missing) throw new NotApplied(`jsonpatch replace operation does not apply: doc is missing key: ${path}: missing value`);
      if (tokens.length === 0) state.doc = cloneJson(o.value);
      else write(parentOf(state.doc, tokens)!, tokens[tokens.length - 1]!, cloneJson(o.value));
      return;
    }
    case 'move':
    case 'copy': {
      const from = str(o.from, 'from', kind);
      const fromTokens = parsePointer(from);
      const value = getAt(state.doc, fromTokens);
      if (value === missing) throw new NotApplied(`jsonpatch ${kind} operation does not apply: doc is missing from path: ${from}`);
      const to = parsePointer(str(o.path, 'path', kind));
      if (kind === 'move') {
        if (from === o.path) return;
        if (to.length > fromTokens.length && fromTokens.every((t, i) => to[i] === t)) throw new NotApplied(`jsonpatch move operation does not apply: cannot move ${from} into its own child`);
        remove(state, fromTokens, 'move', from);
        insert(state, to, value, 'move');
      } else {
        insert(state, to, cloneJson(value), 'copy');
      }
      return;
    }
    case 'test': {
      const path = str(o.path, 'path', 'test');
      const actual = getAt(state.doc, parsePointer(path));
      // v4 treats a missing value as equal to an expected null.
      const ok = actual === missing ? o.value === null || o.value === undefined : jsonEqual(actual, o.value ?? null);
      if (!ok) throw new NotApplied(`testing value ${path} failed: test failed`);
      return;
    }
    default:
      throw new NotApplied(`Unexpected kind: ${typeof kind === 'string' ? kind : 'unknown'}`);
  }
}

function write(parent: Container, token: string, value: unknown): void {
  if (Array.isArray(parent)) parent[arrayIndex(token, parent.length, 0)] = value;
  else setKey(parent, token, value);
}

function insert(state: { doc: unknown }, tokens: string[], value: unknown, op: string): void {
  if (tokens.length === 0) {
    state.doc = value;
    return;
  }
  const parent = parentOf(state.doc, tokens);
  if (!parent) throw new NotApplied(`jsonpatch ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}": missing value`);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : arrayIndex(last, parent.length, 1);
    parent.splice(i, 0, value);
  } else {
    setKey(parent, last, value);
  }
}

function remove(state: { doc: unknown }, tokens: string[], op: string, path: string): void {
  if (tokens.length === 0) throw new NotApplied(`jsonpatch ${op} operation does not apply: cannot remove the whole document`);
  const parent = parentOf(state.doc, tokens);
  if (!parent) throw new NotApplied(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(last, parent.length, 0), 1);
  } else {
    if (!hasOwn(parent, last)) throw new NotApplied(`Unable to remove nonexistent key: ${last}: missing value`);
    delete parent[last];
  }
}

/**
 * Applies a decoded JSON patch document to `doc` and returns the result; `doc` and `ops` are not
 * changed. Throws StatusError: 400 for a malformed patch, 413 past the operation cap, 422 when an
 * operation does not apply (missing path, failed test, bad index).
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  for (const o of ops) {
    if (o !== null && !isObject(o)) throw badRequest(`json: cannot unmarshal ${jsonKind(o)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  const state = { doc: cloneJson(doc) };
  for (const o of ops) {
    try {
      applyOne(state, (o ?? { op: undefined }) as Op);
    } catch (e) {
      if (e instanceof NotApplied) throw patchNotApplied(e.message);
      throw e;
    }
  }
  return state.doc;
}
