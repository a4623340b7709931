import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../util/log.js';
import { EtcdProcess, checkEtcdBinary } from './etcd-process.js';

test('a missing etcd binary is a clear error saying how to install it', () => {
  assert.throws(() => checkEtcdBinary('/nonexistent/etcd'), /embedded etcd needs \/nonexistent\/etcd, which is not installed: install Debian's etcd-server package \(apt-get install -y etcd-server\)/);
});

test('arguments for the first start only (--force-new-cluster) are not repeated when the supervisor restarts etcd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-etcd-proc-'));
  const calls = join(dir, 'calls');
  const fake = join(dir, 'fake-etcd');
  writeFileSync(fake, `#!/bin/sh\necho "$*" >> ${calls}\nexec sleep 60\n`, { mode: 0o755 });
  const ac = new AbortController();
  try {
    const p = await EtcdProcess.start({ binary: fake, args: ['--name', 'm'], firstStartArgs: ['--force-new-cluster'], dataDir: dir, logFile: join(dir, 'log'), log: silentLogger, ready: async () => true }, ac.signal);
    const lines = () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').length : 0);
    // Killed once it has run (not before the fake has written its arguments).
    for (let i = 0; i < 100 && lines() < 1; i++) await new Promise((r) => setTimeout(r, 20));
    process.kill(p.pid!, 'SIGKILL');
    for (let i = 0; i < 100 && lines() < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), ['--name m --force-new-cluster', '--name m']);
  } finally {
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  }
});
