import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostPath } from './host-path.js';

test('hostPath types: create, check and upstream messages', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-hp-'));
  const sock = join(dir, 's.sock');
  const server = createServer();
  await new Promise<void>((r) => server.listen(sock, r));
  try {
    const file = join(dir, 'f');
    writeFileSync(file, 'x');
    mkdirSync(join(dir, 'd'));
    await checkHostPath(join(dir, 'new/deep'), 'DirectoryOrCreate');
    assert.equal(statSync(join(dir, 'new/deep')).mode & 0o777, 0o755);
    await checkHostPath(join(dir, 'newfile'), 'FileOrCreate');
    assert.ok(statSync(join(dir, 'newfile')).isFile());
    await assert.rejects(checkHostPath(join(dir, 'nope/file'), 'FileOrCreate'), /cannot create file/);
    await checkHostPath(join(dir, 'anything'), '');
    await checkHostPath(join(dir, 'd'), 'Directory');
    await checkHostPath(file, 'File');
    await checkHostPath(sock, 'Socket');
    await checkHostPath('/dev/null', 'CharDevice');
    await assert.rejects(checkHostPath(file, 'Directory'), { message: `hostPath type check failed: ${file} is not a directory` });
    await assert.rejects(checkHostPath(file, 'DirectoryOrCreate'), { message: `hostPath type check failed: ${file} is not a directory` });
    await assert.rejects(checkHostPath(join(dir, 'd'), 'File'), { message: `hostPath type check failed: ${join(dir, 'd')} is not a file` });
    await assert.rejects(checkHostPath(join(dir, 'missing'), 'Directory'), /is not a directory/);
    await assert.rejects(checkHostPath(file, 'Socket'), { message: `hostPath type check failed: ${file} is not a socket file` });
    await assert.rejects(checkHostPath(file, 'CharDevice'), { message: `hostPath type check failed: ${file} is not a character device` });
    await assert.rejects(checkHostPath('/dev/null', 'BlockDevice'), { message: `hostPath type check failed: /dev/null is not a block device` });
    await assert.rejects(checkHostPath(file, 'Weird'), { message: 'Weird is an invalid volume type' });
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
