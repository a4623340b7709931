// Label selectors as apimachinery's labels package speaks them: the `?labelSelector=` string
// grammar (`a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, comma = AND), the
// conversion from a metav1.LabelSelector (matchLabels/matchExpressions), and the string forms
// used by Scale's status.selector and by the table printers. Parse errors carry upstream's
// wording (kubectl shows them verbatim), e.g.
// `unable to parse requirement: <nil>: Invalid value: "a:b": name part must consist of ...`.

import { badRequest } from '../errors.js';

/** selection.Operator values, spelled as upstream does. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** AND of these, sorted by key. */
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector does not restrict anything (matches every object). */
  readonly empty: boolean;
  /** True only for the selector that matches nothing (a null metav1.LabelSelector). */
  readonly nothing: boolean;
  matches(labels: Record<string, string> | undefined): boolean;
  /** The value `key` must have for a match, when the selector pins it to exactly one. */
  requiresExactMatch(key: string): string | undefined;
  toString(): string;
}

/** The metav1.LabelSelector shape found in specs. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] | null }[] | null;
}

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

// --- validation messages (k8s.io/apimachinery/pkg/util/validation) ------------------------------

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const maxLenError = (n: number): string => `must be no more than ${n} characters`;

/** validation.IsQualifiedName: the messages for an invalid label key (empty when valid). */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push(`prefix part ${maxLenError(253)}`);
      if (!DNS1123_SUBDOMAIN_RE.test(prefix)) errs.push(`prefix part ${regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com')}`);
    }
  } else {
    return [`a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME_RE.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** validation.IsValidLabelValue (empty when valid). */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

// Go renders field.Invalid values with %q for strings and %#v for slices; messages must match.
const goQuote = (s: string): string => JSON.stringify(s);
const goSlice = (v: readonly string[]): string => `[]string{${v.map(goQuote).join(', ')}}`;

/** A field.Error rendered as Go does, with the nil path printed as `<nil>`. */
function invalid(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${value}: ${detail}`;
}

/** utilerrors.Aggregate's Error(): one message bare, several deduplicated inside brackets. */
function aggregate(msgs: string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

const isInteger = (s: string): boolean => /^[+-]?\d+$/.test(s);

/** labels.NewRequirement: validates and builds one requirement; `path` prefixes field paths. */
export function newRequirement(key: string, operator: string, values: readonly string[], path?: string): LabelRequirement {
  const child = (name: string): string => (path ? `${path}.${name}` : name);
  const errs: string[] = [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length) errs.push(invalid(child('key'), goQuote(key), keyErrs.join('; ')));
  const valuesPath = child('values');
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalid(valuesPath, goSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalid(valuesPath, goSlice(values), 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalid(valuesPath, goSlice(values), 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalid(valuesPath, goSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!isInteger(v)) errs.push(invalid(`${valuesPath}[${i}]`, goQuote(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default: {
      const supported = [...BINARY_OPERATORS, 'exists', '!'].map(goQuote).join(', ');
      errs.push(`${child('operator')}: Unsupported value: ${goQuote(operator)}: supported values: ${supported}`);
    }
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length) errs.push(invalid(`${valuesPath}[${i}][${key}]`, goQuote(v), valueErrs.join('; ')));
  });
  if (errs.length) throw badRequest(aggregate(errs));
  return { key, operator: operator as LabelOperator, values: [...values] };
}

// --- matching and printing -------------------------------------------------------------------

function requirementMatches(r: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key]! : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return value !== undefined && r.values.includes(value);
    case 'notin':
    case '!=':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (value === undefined || !isInteger(value) || r.values.length !== 1 || !isInteger(r.values[0]!)) return false;
      const have = BigInt(value);
      const want = BigInt(r.values[0]!);
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${vals})`;
    case 'gt':
      return `${r.key}>${vals}`;
    case 'lt':
      return `${r.key}<${vals}`;
    default:
      return `${r.key}${r.operator}${vals}`;
  }
}

function makeSelector(reqs: LabelRequirement[]): LabelSelector {
  const requirements = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements,
    empty: requirements.length === 0,
    nothing: false,
    matches: (labels) => requirements.every((r) => requirementMatches(r, labels)),
    requiresExactMatch(key) {
      const r = requirements.find((x) => x.key === key);
      if (!r || !['=', '==', 'in'].includes(r.operator) || r.values.length !== 1) return undefined;
      return r.values[0];
    },
    toString: () => requirements.map(requirementString).join(','),
  };
}

/** labels.Everything(). */
export const everything: LabelSelector = makeSelector([]);

/** labels.Nothing(): what a null metav1.LabelSelector selects. */
export const nothing: LabelSelector = {
  requirements: [],
  empty: false,
  nothing: true,
  matches: () => false,
  requiresExactMatch: () => undefined,
  toString: () => '',
};

// --- the string grammar ----------------------------------------------------------------------

type TokenKind = 'end' | 'closePar' | 'comma' | 'not' | 'doubleEquals' | 'equals' | 'gt' | 'identifier' | 'in' | 'lt' | 'notEquals' | 'notIn' | 'openPar' | 'error';
interface Token {
  kind: TokenKind;
  literal: string;
}

const SYMBOLS: Record<string, TokenKind> = { ')': 'closePar', ',': 'comma', '!': 'not', '==': 'doubleEquals', '=': 'equals', '>': 'gt', in: 'in', '<': 'lt', '!=': 'notEquals', notin: 'notIn', '(': 'openPar' };
const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    if (isSpecial(s[pos]!)) {
      // Longest run of symbol characters that still spells a known operator ("!=" over "!").
      let buf = '';
      let last: Token | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        buf += s[pos];
        const kind = SYMBOLS[buf];
        if (kind) last = { kind, literal: buf };
        else if (last) break;
        pos++;
      }
      tokens.push(last ?? { kind: 'error', literal: `error expected: keyword found '${buf}'` });
      continue;
    }
    const start = pos;
    while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) pos++;
    const word = s.slice(start, pos);
    const kind = SYMBOLS[word];
    tokens.push({ kind: kind === 'in' || kind === 'notIn' ? kind : 'identifier', literal: word });
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  // In a value position the keywords `in` and `notin` are plain identifiers (`x in (in)`).
  private peek(asValue: boolean): Token {
    return this.view(this.tokens[this.pos]!, asValue);
  }
  private next(asValue: boolean): Token {
    return this.view(this.tokens[this.pos++]!, asValue);
  }
  private view(t: Token, asValue: boolean): Token {
    return asValue && (t.kind === 'in' || t.kind === 'notIn') ? { kind: 'identifier', literal: t.literal } : t;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const t = this.peek(true);
      if (t.kind === 'end') return reqs;
      if (t.kind !== 'identifier' && t.kind !== 'not') throw badRequest(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        throw badRequest(`unable to parse requirement: ${(e as Error).message}`);
      }
      const after = this.next(true);
      if (after.kind === 'end') return reqs;
      if (after.kind !== 'comma') throw badRequest(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.peek(true);
      if (following.kind !== 'identifier' && following.kind !== 'not') throw badRequest(`found '${following.literal}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    let t = this.next(true);
    let negated = false;
    if (t.kind === 'not') {
      negated = true;
      t = this.next(true);
    }
    if (t.kind !== 'identifier') throw new Error(`found '${t.literal}', expected: identifier`);
    const key = t.literal;
    const keyErrs = labelKeyErrors(key);
    if (keyErrs.length) throw new Error(invalid('<nil>', goQuote(key), keyErrs.join('; ')));
    const ahead = this.peek(true).kind;
    if (negated) return newRequirement(key, '!', []);
    if (ahead === 'end' || ahead === 'comma') return newRequirement(key, 'exists', []);
    const op = this.operator();
    const values = op === 'in' || op === 'notin' ? this.valueSet() : this.exactValue();
    return newRequirement(key, op, [...new Set(values)].sort());
  }

  private operator(): LabelOperator {
    const t = this.next(false);
    const ops: Partial<Record<TokenKind, LabelOperator>> = { in: 'in', equals: '=', doubleEquals: '==', gt: 'gt', lt: 'lt', notIn: 'notin', notEquals: '!=' };
    const op = ops[t.kind];
    if (!op) throw new Error(`found '${t.literal}', expected: ${BINARY_OPERATORS.join(', ')}`);
    return op;
  }

  private valueSet(): string[] {
    const open = this.next(true);
    if (open.kind !== 'openPar') throw new Error(`found '${open.literal}' expected: '('`);
    const first = this.peek(true);
    if (first.kind === 'closePar') {
      this.next(true);
      return [''];
    }
    if (first.kind !== 'identifier' && first.kind !== 'comma') throw new Error(`found '${first.literal}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const t = this.next(true);
      if (t.kind === 'identifier') {
        values.push(t.literal);
        const ahead = this.peek(true);
        if (ahead.kind === 'comma') continue;
        if (ahead.kind === 'closePar') break;
        throw new Error(`found '${ahead.literal}', expected: ',' or ')'`);
      } else if (t.kind === 'comma') {
        // Empty members are allowed: "(,a)", "(a,)" and "(a,,b)" all include "".
        if (values.length === 0) values.push('');
        const ahead = this.peek(true).kind;
        if (ahead === 'closePar') {
          values.push('');
          break;
        }
        if (ahead === 'comma') values.push('');
      } else {
        throw new Error(`found '${t.literal}', expected: ',', or identifier`);
      }
    }
    this.next(true); // the closing parenthesis
    return values;
  }

  private exactValue(): string[] {
    const ahead = this.peek(true).kind;
    if (ahead === 'end' || ahead === 'comma') return [''];
    const t = this.next(true);
    if (t.kind !== 'identifier') throw new Error(`found '${t.literal}', expected: identifier`);
    return [t.literal];
  }
}

/** labels.Parse: the `labelSelector` query parameter. Throws a 400 StatusError on bad input. */
export function parseLabelSelector(s: string): LabelSelector {
  return makeSelector(new Parser(tokenize(s)).parse());
}

/** metav1.LabelSelectorAsSelector: null selects nothing, `{}` selects everything. */
export function selectorFromLabelSelector(sel: LabelSelectorSpec | undefined | null): LabelSelector {
  if (sel === undefined || sel === null) return nothing;
  const matchLabels = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return everything;
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) reqs.push(newRequirement(k, '=', [v]));
  const ops: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
  for (const e of exprs) {
    const op = Object.hasOwn(ops, e.operator) ? ops[e.operator] : undefined;
    if (!op) throw badRequest(`${goQuote(e.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, e.values ?? []));
  }
  return makeSelector(reqs);
}

/** The string form of a metav1.LabelSelector, as Scale's status.selector carries it. */
export function labelSelectorToString(sel: LabelSelectorSpec | undefined | null): string {
  return selectorFromLabelSelector(sel).toString();
}

/** metav1.FormatLabelSelector, for printers: `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(sel: LabelSelectorSpec | undefined | null): string {
  let s: string;
  try {
    s = selectorFromLabelSelector(sel).toString();
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}

/** labels.FormatLabels: `k=v,...` sorted by key, or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}
