// The pause image (the sandbox's PID 1) built from busybox-static, so no registry is needed to
// start a cluster. Named as upstream's so pods and tools that mention it find it. Its process is
// busybox's sh: it sleeps forever, exits 0 on SIGTERM/SIGINT, and reaps zombies, since ash's
// `wait` collects every child that ends, orphans adopted by PID 1 included.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildOciArchive } from './oci-archive.js';
import type { BuiltArchive } from './oci-archive.js';
import { busyboxRootfs } from './busybox-rootfs.js';

export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

export const PAUSE_SCRIPT = "trap 'exit 0' TERM INT; while :; do sleep 2147483647 & wait $!; done";

/** Builds the pause image archive at `out`. */
export async function buildPauseImage(out: string, ref = PAUSE_IMAGE): Promise<BuiltArchive> {
  const rootfs = await mkdtemp(join(tmpdir(), 'kts-pause-'));
  try {
    await busyboxRootfs(rootfs, ['sh', 'sleep'], ['dev', 'proc', 'sys', 'tmp']);
    return await buildOciArchive({
      ref,
      rootfs,
      out,
      config: { Entrypoint: ['/bin/sh', '-c', PAUSE_SCRIPT], Env: ['PATH=/bin'], WorkingDir: '/', User: '0:0', StopSignal: 'SIGTERM' },
    });
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}
