import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerMounts, expand } from './container-mounts.js';
import type { Pod } from './types.js';

test('$(VAR) expansion as Kubernetes does it', () => {
  const env: Record<string, string> = { POD: 'web-0', NS: 'prod' };
  const r = (n: string) => env[n];
  assert.equal(expand('logs/$(NS)/$(POD)', r), 'logs/prod/web-0');
  assert.equal(expand('$(MISSING)/x', r), '$(MISSING)/x');
  assert.equal(expand('$$(POD)', r), '$(POD)');
  assert.equal(expand('a$b', r), 'a$b');
});

test('mounts: readOnly, subPath, subPathExpr, propagation, and refusals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-cm-'));
  try {
    const vol = join(dir, 'vol');
    mkdirSync(vol);
    symlinkSync('/etc', join(vol, 'escape'));
    const pod = { metadata: { name: 'p', namespace: 'd', uid: 'u' }, spec: { containers: [] } } as unknown as Pod;
    const volumes = new Map([
      ['data', { hostPath: vol, readOnly: false }],
      ['cfg', { hostPath: join(dir, 'cfg'), readOnly: true }],
    ]);
    const c = {
      name: 'c',
      volumeMounts: [
        { name: 'data', mountPath: '/data' },
        { name: 'data', mountPath: '/ro', readOnly: true, mountPropagation: 'HostToContainer' as const },
        { name: 'data', mountPath: '/sub', subPath: 'a/b' },
        { name: 'data', mountPath: '/expr', subPathExpr: 'logs/$(POD_NAME)' },
        { name: 'cfg', mountPath: '/cfg' },
      ],
    };
    const m = containerMounts(pod, c, volumes, (n) => (n === 'POD_NAME' ? 'p' : undefined));
    assert.deepEqual(m, [
      { containerPath: '/data', hostPath: vol, readonly: false, propagation: 'private' },
      { containerPath: '/ro', hostPath: vol, readonly: true, propagation: 'rslave' },
      { containerPath: '/sub', hostPath: join(vol, 'a/b'), readonly: false, propagation: 'private' },
      { containerPath: '/expr', hostPath: join(vol, 'logs/p'), readonly: false, propagation: 'private' },
      { containerPath: '/cfg', hostPath: join(dir, 'cfg'), readonly: true, propagation: 'private' },
    ]);
    assert.ok(statSync(join(vol, 'a/b')).isDirectory(), 'subPath directory created');
    const one = (vm: object, extra: object = {}) => containerMounts(pod, { name: 'c', volumeMounts: [{ name: 'data', mountPath: '/x', ...vm }], ...extra }, volumes);
    assert.throws(() => one({ subPath: '../x' }), /must not contain '\.\.'/);
    assert.throws(() => one({ subPath: '/etc' }), /must be a relative path/);
    assert.throws(() => one({ subPath: 'escape' }), /resolves outside the volume/);
    assert.throws(() => one({ mountPropagation: 'Bidirectional' }), /available only to privileged containers/);
    assert.equal(one({ mountPropagation: 'Bidirectional' }, { securityContext: { privileged: true } })[0]!.propagation, 'rshared');
    assert.throws(() => containerMounts(pod, { name: 'c', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, volumes), /cannot find volume "nope"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
