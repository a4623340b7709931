// Field selectors as apimachinery's fields package parses them (`a=b`, `a==b`, `a!=b`, comma =
// AND, `\,` `\=` `\\` escapes in values), plus which fields each resource lets clients select on:
// upstream's field label conversion funcs (which labels a request may use, and the 400 message
// otherwise) and the registries' GetAttrs (what each label reads from an object).

import { badRequest } from '../errors.js';
import { isPlainObject } from '../types.js';

export interface FieldRequirement {
  readonly field: string;
  /** `==` parses to `=`, as upstream's Requirements() reports it. */
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** `get` returns a field's value; undefined counts as "" (fields.Set.Get of a missing key). */
  matches(get: (field: string) => string | undefined): boolean;
  requiresExactMatch(field: string): string | undefined;
  toString(): string;
}

const escapeValue = (v: string): string => v.replace(/[\\,=]/g, (c) => `\\${c}`);

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Upstream formats the rune with %v, which prints its code point.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not backslash-escaped, keeping the escapes for unescapeValue. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** Splits at the first operator; the left side has no escaping, so its first `=` wins. */
function splitTerm(term: string): [string, '=' | '!=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op === '!=' ? '!=' : '=', term.slice(i + op.length)];
    }
  }
  return undefined;
}

function makeSelector(requirements: FieldRequirement[]): FieldSelector {
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (get) => requirements.every((r) => ((get(r.field) ?? '') === r.value) === (r.operator === '=')),
    requiresExactMatch: (field) => requirements.find((r) => r.field === field && r.operator === '=')?.value,
    toString: () => requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(','),
  };
}

/** fields.ParseSelector: the `fieldSelector` query parameter. Throws a 400 StatusError. */
export function parseFieldSelector(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    requirements.push({ field: split[0], operator: split[1], value: unescapeValue(split[2]) });
  }
  return makeSelector(requirements);
}

// --- per-resource selectable fields ------------------------------------------------------------

type Read = (obj: Record<string, unknown>) => string;

function at(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const key of path.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

// GetAttrs builds a fields.Set from the typed object, so absent fields read as Go zero values.
const text =
  (path: string): Read =>
  (o) => {
    const v = at(o, path);
    return typeof v === 'string' ? v : '';
  };
const flag =
  (path: string): Read =>
  (o) =>
    String(at(o, path) === true);
const int =
  (path: string): Read =>
  (o) => {
    const v = at(o, path);
    return String(typeof v === 'number' ? Math.trunc(v) : 0);
  };
const firstText =
  (...paths: string[]): Read =>
  (o) =>
    paths.map((p) => text(p)(o)).find((v) => v !== '') ?? '';

interface FieldRules {
  /** Accepted labels and what each reads. A label accepted but never set reads "". */
  fields: Record<string, Read>;
  /** Labels rewritten before matching (legacy spellings). */
  aliases?: Record<string, string>;
  reject: (label: string) => string;
}

const notSupported = (label: string): string => `field label not supported: ${label}`;
const meta = { 'metadata.name': text('metadata.name'), 'metadata.namespace': text('metadata.namespace') };
const unset: Read = () => '';

const podIP: Read = (o) => {
  const ips = at(o, 'status.podIPs');
  const first = Array.isArray(ips) ? at(ips[0], 'ip') : undefined;
  return typeof first === 'string' && first !== '' ? first : text('status.podIP')(o);
};

const RULES: Record<string, FieldRules> = {
  '/pods': {
    fields: {
      ...meta,
      'spec.nodeName': text('spec.nodeName'),
      'spec.restartPolicy': text('spec.restartPolicy'),
      'spec.schedulerName': text('spec.schedulerName'),
      'spec.serviceAccountName': text('spec.serviceAccountName'),
      'spec.hostNetwork': flag('spec.hostNetwork'),
      'status.phase': text('status.phase'),
      'status.podIP': podIP,
      'status.podIPs': unset,
      'status.nominatedNodeName': text('status.nominatedNodeName'),
    },
    aliases: { 'spec.host': 'spec.nodeName' },
    reject: notSupported,
  },
  '/nodes': { fields: { 'metadata.name': meta['metadata.name'], 'spec.unschedulable': flag('spec.unschedulable') }, reject: notSupported },
  '/namespaces': { fields: { 'metadata.name': meta['metadata.name'], 'status.phase': text('status.phase') }, reject: notSupported },
  '/secrets': { fields: { ...meta, type: text('type') }, reject: notSupported },
  '/services': { fields: { ...meta, 'spec.clusterIP': text('spec.clusterIP'), 'spec.type': text('spec.type') }, reject: notSupported },
  '/replicationcontrollers': { fields: { ...meta, 'status.replicas': int('status.replicas') }, reject: notSupported },
  '/events': {
    fields: {
      ...meta,
      'involvedObject.kind': text('involvedObject.kind'),
      'involvedObject.namespace': text('involvedObject.namespace'),
      'involvedObject.name': text('involvedObject.name'),
      'involvedObject.uid': text('involvedObject.uid'),
      'involvedObject.apiVersion': text('involvedObject.apiVersion'),
      'involvedObject.resourceVersion': text('involvedObject.resourceVersion'),
      'involvedObject.fieldPath': text('involvedObject.fieldPath'),
      reason: text('reason'),
      reportingComponent: text('reportingComponent'),
      source: firstText('source.component', 'reportingComponent'),
      type: text('type'),
    },
    reject: notSupported,
  },
  // events.k8s.io/v1 serves the same events under new names; objects here are in that shape.
  'events.k8s.io/events': {
    fields: {
      ...meta,
      'regarding.kind': text('regarding.kind'),
      'regarding.namespace': text('regarding.namespace'),
      'regarding.name': text('regarding.name'),
      'regarding.uid': text('regarding.uid'),
      'regarding.apiVersion': text('regarding.apiVersion'),
      'regarding.resourceVersion': text('regarding.resourceVersion'),
      'regarding.fieldPath': text('regarding.fieldPath'),
      reason: text('reason'),
      reportingController: text('reportingController'),
      type: text('type'),
    },
    reject: notSupported,
  },
  'batch/jobs': { fields: { ...meta, 'status.successful': int('status.succeeded') }, reject: (l) => `field label ${JSON.stringify(l)} not supported for Job` },
};

// runtime.DefaultMetaV1FieldSelectorConversion: every kind without its own conversion func.
const DEFAULT_RULES: FieldRules = {
  fields: meta,
  reject: (l) => `${JSON.stringify(l)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

const canonical = (rules: FieldRules, label: string): string => (rules.aliases && Object.hasOwn(rules.aliases, label) ? rules.aliases[label]! : label);

const rulesFor = (group: string, resource: string): FieldRules => (Object.hasOwn(RULES, `${group}/${resource}`) ? RULES[`${group}/${resource}`]! : DEFAULT_RULES);

export interface FieldGetter {
  /** The labels a request may select on, legacy aliases included. */
  supported: string[];
  get(obj: unknown, field: string): string | undefined;
}

export function fieldGetter(group: string, resource: string): FieldGetter {
  const rules = rulesFor(group, resource);
  return {
    supported: [...Object.keys(rules.fields), ...Object.keys(rules.aliases ?? {})],
    get(obj, field) {
      const name = canonical(rules, field);
      return Object.hasOwn(rules.fields, name) && isPlainObject(obj) ? rules.fields[name]!(obj) : undefined;
    },
  };
}

/**
 * The apiserver's field label conversion: rejects labels the resource does not support with
 * upstream's 400 message and returns the selector with legacy aliases rewritten.
 */
export function validateFieldSelector(sel: FieldSelector, group: string, resource: string): FieldSelector {
  const rules = rulesFor(group, resource);
  const out = sel.requirements.map((r) => {
    const field = canonical(rules, r.field);
    if (!Object.hasOwn(rules.fields, field)) throw badRequest(rules.reject(r.field));
    return field === r.field ? r : { ...r, field };
  });
  return makeSelector(out);
}

/** Convenience for list/watch filtering: does `obj` satisfy `sel` for this resource? */
export function matchesFields(sel: FieldSelector, group: string, resource: string, obj: unknown): boolean {
  if (sel.empty) return true;
  const getter = fieldGetter(group, resource);
  return sel.matches((f) => getter.get(obj, f));
}
