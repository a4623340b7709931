import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podMasqPrefix, podMasqScript } from './pod-masquerade.js';

const P = 'KTSMabc123-';
const C = 'KTSMabc123-POSTROUTING';
const COMMENT = `-m comment --comment "kts ${C} pod traffic leaving the cluster"`;

test('the chain returns for this and other nodes\' pod CIDRs and multicast, masquerades the rest; the jump is added once', () => {
  const s = podMasqScript(P, '10.42.0.0/24', ['10.42.0.0/24', '10.42.1.0/24', 'junk'], '');
  assert.equal(s, [
    '*nat',
    `:${C} - [0:0]`,
    `-A ${C} -d 10.42.0.0/24 -j RETURN`,
    `-A ${C} -d 10.42.1.0/24 -j RETURN`,
    `-A ${C} -d 224.0.0.0/4 -j RETURN`,
    `-A ${C} ${COMMENT} -j MASQUERADE`,
    `-A POSTROUTING -s 10.42.0.0/24 ${COMMENT} -j ${C}`,
    'COMMIT',
    '',
  ].join('\n'));
  const again = podMasqScript(P, '10.42.0.0/24', [], `-A POSTROUTING -s 10.42.0.0/24 ${COMMENT} -j ${C}\n`);
  assert.ok(!again.includes('-A POSTROUTING'), 'an existing jump is kept');
});

test('a changed pod CIDR moves the jump; bad CIDRs are refused; the prefix is per data dir', () => {
  const s = podMasqScript(P, '10.42.5.0/24', [], `-A POSTROUTING -s 10.42.0.0/24 ${COMMENT} -j ${C}\n-A POSTROUTING -s 10.9.0.0/16 -j OTHER\n`);
  assert.ok(s.includes(`-D POSTROUTING -s 10.42.0.0/24 ${COMMENT} -j ${C}`));
  assert.ok(s.includes(`-A POSTROUTING -s 10.42.5.0/24 ${COMMENT} -j ${C}`));
  assert.ok(!s.includes('OTHER'), 'rules of others are not touched');
  assert.throws(() => podMasqScript(P, '10.42.0.0/24; rm', [], ''), /not an IPv4 CIDR/);
  assert.match(podMasqPrefix('/var/lib/kts'), /^KTSM[0-9a-f]{6}-$/);
  assert.notEqual(podMasqPrefix('/a'), podMasqPrefix('/b'));
});
