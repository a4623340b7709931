import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildOciArchive, refTag, ociArch } from './oci-archive.js';
import { buildPauseImage, PAUSE_IMAGE, PAUSE_SCRIPT } from './pause-image.js';

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

function unpack(tar: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kts-oci-x-'));
  execFileSync('tar', ['-xf', tar, '-C', dir]);
  return dir;
}

test('an OCI layout: index names the image, digests and diff_id verify, config carries the process', async () => {
  const base = mkdtempSync(join(tmpdir(), 'kts-oci-'));
  try {
    const root = join(base, 'root');
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'bin', 'tool'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    symlinkSync('tool', join(root, 'bin', 'alias'));
    const built = await buildOciArchive({ ref: 'example.test/app:2', rootfs: root, out: join(base, 'a.tar'), config: { Env: ['PATH=/bin'], Entrypoint: ['/bin/tool'], Cmd: ['x'], WorkingDir: '/w' } });
    const dir = unpack(built.path);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    const desc = index.manifests[0];
    assert.equal(desc.annotations['io.containerd.image.name'], 'example.test/app:2');
    assert.equal(desc.annotations['org.opencontainers.image.ref.name'], '2');
    assert.equal(desc.digest, built.manifestDigest);
    const blob = (d: string) => readFileSync(join(dir, 'blobs', 'sha256', d.slice(7)));
    const manifest = JSON.parse(blob(desc.digest).toString());
    assert.equal(sha(blob(desc.digest)), desc.digest);
    assert.equal(blob(desc.digest).length, desc.size);
    const config = JSON.parse(blob(manifest.config.digest).toString());
    assert.equal(manifest.config.digest, built.configDigest);
    assert.deepEqual(config.config, { Env: ['PATH=/bin'], Entrypoint: ['/bin/tool'], Cmd: ['x'], WorkingDir: '/w' });
    assert.equal(config.os, 'linux');
    assert.equal(config.architecture, ociArch());
    const layerGz = blob(manifest.layers[0].digest);
    assert.equal(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
    assert.equal(sha(layerGz), manifest.layers[0].digest);
    assert.equal(sha(gunzipSync(layerGz)), config.rootfs.diff_ids[0]);
    // Layer entries: relative, owned by root, mtime 0, the symlink kept.
    const listing = execFileSync('tar', ['-tvzf', '-'], { input: layerGz, encoding: 'utf8' });
    assert.match(listing, /^lrwxrwxrwx 0\/0 .* 1970-01-01 00:00 bin\/alias -> tool$/m);
    assert.match(listing, /^-rwxr-xr-x 0\/0 .* 1970-01-01 00:00 bin\/tool$/m);
    rmSync(dir, { recursive: true });

    // Same content, other mtimes: the same bytes.
    utimesSync(join(root, 'bin', 'tool'), new Date(), new Date(2000, 1, 1));
    const again = await buildOciArchive({ ref: 'example.test/app:2', rootfs: root, out: join(base, 'b.tar'), config: { Env: ['PATH=/bin'], Entrypoint: ['/bin/tool'], Cmd: ['x'], WorkingDir: '/w' } });
    assert.deepEqual(readFileSync(again.path), readFileSync(built.path));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('refTag', () => {
  assert.equal(refTag('registry.k8s.io/pause:3.10'), '3.10');
  assert.equal(refTag('localhost:5000/x'), 'latest');
});

test('the pause image: busybox sh that waits for signals', async () => {
  const base = mkdtempSync(join(tmpdir(), 'kts-pause-t-'));
  try {
    const built = await buildPauseImage(join(base, 'pause.tar'));
    const dir = unpack(built.path);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].annotations['io.containerd.image.name'], PAUSE_IMAGE);
    const config = JSON.parse(readFileSync(join(dir, 'blobs', 'sha256', built.configDigest.slice(7)), 'utf8'));
    assert.deepEqual(config.config.Entrypoint, ['/bin/sh', '-c', PAUSE_SCRIPT]);
    rmSync(dir, { recursive: true });
    // The script itself: exits 0 on SIGTERM while sleeping.
    const { spawn } = await import('node:child_process');
    // Own process group, so its sleep (orphaned outside a PID namespace) can be killed after.
    const child = spawn('busybox', ['sh', '-c', PAUSE_SCRIPT], { stdio: 'ignore', detached: true });
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is already empty
    }
    assert.equal(code, 0);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
