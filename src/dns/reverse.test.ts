import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reverseNameToIp, isReverseName } from './reverse.js';

test('in-addr.arpa names map to IPv4 addresses; partial or bad ones do not', () => {
  assert.equal(reverseNameToIp('5.0.42.10.in-addr.arpa'), '10.42.0.5');
  assert.equal(reverseNameToIp('0.42.10.in-addr.arpa'), undefined);
  assert.equal(reverseNameToIp('256.0.42.10.in-addr.arpa'), undefined);
  assert.equal(reverseNameToIp('05.0.42.10.in-addr.arpa'), undefined);
  assert.equal(reverseNameToIp('example.com'), undefined);
});

test('ip6.arpa names map to canonical IPv6 addresses', () => {
  const name = '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa';
  assert.equal(reverseNameToIp(name), 'fd00::1');
  assert.equal(reverseNameToIp('1.0.d.f.ip6.arpa'), undefined);
  assert.equal(isReverseName(name), true);
  assert.equal(isReverseName('web.default.svc.cluster.local'), false);
});
