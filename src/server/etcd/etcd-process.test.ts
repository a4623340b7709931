import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEtcdBinary } from './etcd-process.js';

test('a missing etcd binary is a clear error saying how to install it', () => {
  assert.throws(() => checkEtcdBinary('/nonexistent/etcd'), /embedded etcd needs \/nonexistent\/etcd, which is not installed: install Debian's etcd-server package \(apt-get install -y etcd-server\)/);
});
