import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResolvConf, readUpstreams } from './forward.js';

test('resolv.conf: nameservers in order, loopback stubs skipped, scope ids dropped', () => {
  const r = parseResolvConf('# comment\nsearch example.com\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\nnameserver ::1\nnameserver bogus\noptions edns0\n');
  assert.deepEqual(r.servers, [{ host: '10.0.0.2', port: 53 }, { host: 'fe80::1', port: 53 }]);
  assert.equal(r.loopback, 2);
});

test('only a loopback stub: systemd-resolved’s upstream list is used instead', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-dns-'));
  writeFileSync(join(dir, 'stub.conf'), 'nameserver 127.0.0.53\n');
  writeFileSync(join(dir, 'real.conf'), 'nameserver 192.0.2.53\n');
  assert.deepEqual(readUpstreams(join(dir, 'stub.conf'), join(dir, 'real.conf')), [{ host: '192.0.2.53', port: 53 }]);
  assert.deepEqual(readUpstreams(join(dir, 'stub.conf'), join(dir, 'missing.conf')), []);
  assert.deepEqual(readUpstreams(join(dir, 'missing.conf')), []);
});
