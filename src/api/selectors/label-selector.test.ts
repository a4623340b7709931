import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { formatLabels, formatLabelSelector, labelSelectorToString, parseLabelSelector, selectorFromLabelSelector } from './label-selector.js';

function parseError(s: string): string {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
}

const NAME_PART_REGEX = "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

test('parses every operator and prints the canonical form sorted by key', () => {
  const cases: [string, string][] = [
    ['a=b', 'a=b'],
    ['a==b', 'a==b'],
    ['a!=b', 'a!=b'],
    ['a in (y,x)', 'a in (x,y)'],
    ['a notin(x)', 'a notin (x)'],
    ['a', 'a'],
    ['!a', '!a'],
    ['a>1', 'a>1'],
    ['a<1', 'a<1'],
    ['z=1,a=2', 'a=2,z=1'],
    ['  a = b ,  c  ', 'a=b,c'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['a=', 'a='],
    ['in in (in, notin)', 'in in (in,notin)'],
    ['example.com/app=web', 'example.com/app=web'],
    ['', ''],
  ];
  for (const [input, want] of cases) assert.equal(parseLabelSelector(input).toString(), want, input);
});

test('matching follows upstream semantics for absent keys', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };
  const m = (s: string, l: Record<string, string> | undefined = labels): boolean => parseLabelSelector(s).matches(l);
  assert.equal(m('app=web'), true);
  assert.equal(m('app=db'), false);
  assert.equal(m('app!=db'), true);
  assert.equal(m('missing!=x'), true, '!= matches when the key is absent');
  assert.equal(m('missing notin (x)'), true, 'notin matches when the key is absent');
  assert.equal(m('missing in (x)'), false);
  assert.equal(m('app in (db,web)'), true);
  assert.equal(m('app notin (db,web)'), false);
  assert.equal(m('tier'), true);
  assert.equal(m('!tier'), false);
  assert.equal(m('!missing'), true);
  assert.equal(m('n>4'), true);
  assert.equal(m('n>5'), false);
  assert.equal(m('n<6'), true);
  assert.equal(m('app>1'), false, 'a non-integer label never satisfies gt');
  assert.equal(m('app=web,tier=back'), false, 'comma is AND');
  assert.equal(parseLabelSelector('app=web').matches(undefined), false);
  assert.equal(parseLabelSelector('').matches(undefined), true);
  assert.equal(m('a=', { a: '' }), true);
  assert.equal(parseLabelSelector('').empty, true);
  assert.equal(parseLabelSelector('a').empty, false);
});

test('requiresExactMatch reports pinned values only', () => {
  const sel = parseLabelSelector('a=1,b in (2),c in (3,4),d!=5');
  assert.equal(sel.requiresExactMatch('a'), '1');
  assert.equal(sel.requiresExactMatch('b'), '2');
  assert.equal(sel.requiresExactMatch('c'), undefined);
  assert.equal(sel.requiresExactMatch('d'), undefined);
  assert.equal(sel.requiresExactMatch('zz'), undefined);
});

test('invalid keys and values are rejected with upstream messages', () => {
  assert.equal(parseError('app:monolith'), `unable to parse requirement: <nil>: Invalid value: "app:monolith": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${NAME_PART_REGEX}`);
  assert.equal(
    parseError('a/b/c ?=? def'),
    `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${NAME_PART_REGEX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  );
  assert.match(parseError('app.kubernetes_io/name=x'), /^unable to parse requirement: <nil>: Invalid value: "app.kubernetes_io\/name": prefix part a lowercase RFC 1123 subdomain must consist of/);
  assert.equal(
    parseError('a=@@'),
    `unable to parse requirement: values[0][a]: Invalid value: "@@": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
  );
  assert.match(parseError(`a=${'x'.repeat(64)}`), /values\[0\]\[a\]: Invalid value: "x{64}": must be no more than 63 characters$/);
  assert.match(parseError(`${'k'.repeat(64)}=v`), /name part must be no more than 63 characters$/);
  assert.match(parseError('/a=b'), /<nil>: Invalid value: "\/a": prefix part must be non-empty$/);
  assert.match(parseError('a>x'), /values\[0\]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer$/);
});

test('syntax errors are reported as upstream words them', () => {
  assert.equal(parseError('a b'), 'unable to parse requirement: found \'b\', expected: in, notin, =, ==, !=, gt, lt');
  assert.equal(parseError('a=b=c'), "found '=', expected: ',' or 'end of string'");
  assert.equal(parseError(',a'), "found ',', expected: !, identifier, or 'end of string'");
  assert.equal(parseError('a,'), "found '', expected: identifier after ','");
  assert.equal(parseError('a in (b'), "unable to parse requirement: found '', expected: ',' or ')'");
  assert.equal(parseError('a in b'), "unable to parse requirement: found 'b' expected: '('");
  assert.equal(parseError('a in (=)'), "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  assert.equal(parseError('!a=b'), "found '=', expected: ',' or 'end of string'");
  assert.equal(parseError('a=(b)'), "unable to parse requirement: found '(', expected: identifier");
});

test('selectorFromLabelSelector: null selects nothing, {} selects everything', () => {
  const none = selectorFromLabelSelector(null);
  assert.equal(none.matches({ a: 'b' }), false);
  assert.equal(none.empty, false);
  assert.equal(none.nothing, true);
  assert.equal(selectorFromLabelSelector(undefined).matches({}), false);
  const all = selectorFromLabelSelector({});
  assert.equal(all.matches({ a: 'b' }), true);
  assert.equal(all.matches(undefined), true);
  assert.equal(all.empty, true);
  assert.equal(selectorFromLabelSelector({ matchLabels: {}, matchExpressions: [] }).empty, true);
});

test('selectorFromLabelSelector combines matchLabels and every expression operator', () => {
  const sel = selectorFromLabelSelector({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['front', 'edge'] },
      { key: 'env', operator: 'NotIn', values: ['dev'] },
      { key: 'team', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(sel.toString(), 'app=web,env notin (dev),!legacy,team,tier in (edge,front)');
  assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x' }), true);
  assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x', env: 'dev' }), false);
  assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x', legacy: '1' }), false);
  assert.equal(sel.matches({ app: 'web', tier: 'back', team: 'x' }), false);
  assert.equal(labelSelectorToString({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
});

test('selectorFromLabelSelector rejects malformed expressions', () => {
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }), { message: '"Foo" is not a valid label selector operator' });
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'constructor' }] }), { message: '"constructor" is not a valid label selector operator' });
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), { message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty" });
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), {
    message: 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
  });
  assert.throws(() => selectorFromLabelSelector({ matchLabels: { 'bad key': 'v' } }), { message: /^key: Invalid value: "bad key": name part must consist/ });
});

test('printer helpers format selectors and label maps', () => {
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchLabels: { app: 'x' } }), 'app=x');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Nope' }] }), '<error>');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
});
