import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvFields, parseTokenFile, TokenFileError } from './token-file.js';

test('token file: token, user, uid and quoted groups; comments and blank lines skipped', () => {
  const warnings: string[] = [];
  const t = parseTokenFile('# comment\n\nt1,alice,1001,"dev,ops"\nt2, bob ,1002\n,nobody,1\nt1,alice2,1003\n', '/f', (m) => warnings.push(m));
  assert.deepEqual(t, [
    { token: 't1', user: { name: 'alice2', groups: [] } },
    { token: 't2', user: { name: 'bob ', groups: [] } },
  ]);
  assert.deepEqual(warnings, ["empty token has been found in token file '/f', record number '3'", "duplicate token has been found in token file '/f', record number '4'"]);
  assert.deepEqual(parseTokenFile('t,u,1,"a,b"\n', '/f')[0]!.user.groups, ['a', 'b']);
});

test('token file: fewer than 3 columns or a broken quote is an error naming the file', () => {
  assert.throws(() => parseTokenFile('t,u\n', '/etc/tokens.csv'), (e: Error) => e instanceof TokenFileError && e.message === "token file '/etc/tokens.csv' must have at least 3 columns (token, user name, user uid), found 2");
  assert.throws(() => parseTokenFile('t,u,1,"a,b\n', '/f'), /line 1: unterminated quoted field/);
  assert.deepEqual(csvFields('a,"b ""c""",d'), ['a', 'b "c"', 'd']);
});
