// Test images without a registry: busybox-static in an OCI archive, ready for `kts image import`
// or `ctr images import`. Applets: the shell and the usual tools (busybox's wget segfaults on
// these machines: use nc).
import { mkdtemp, rm, copyFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { buildOciArchive } from '../../src/kubelet/images/oci-archive.js';
import { busyboxRootfs, minimalEtc } from '../../src/kubelet/images/busybox-rootfs.js';

export const BUSYBOX_APPLETS = [
  'sh', 'ash', 'sleep', 'httpd', 'nc', 'cat', 'echo', 'ls', 'mkdir', 'rm', 'cp', 'mv', 'touch', 'env', 'id', 'ps', 'kill', 'grep',
  'sed', 'awk', 'head', 'tail', 'wc', 'date', 'hostname', 'true', 'false', 'test', '[', 'dd', 'df', 'du', 'mount', 'ip', 'ping',
  'nslookup', 'printf', 'seq', 'sort', 'uniq', 'tr', 'cut', 'stat', 'sync', 'uname', 'whoami', 'yes', 'tee', 'find', 'xargs',
  'ln', 'chmod', 'chown', 'basename', 'dirname', 'timeout', 'expr', 'md5sum', 'sha256sum', 'hexdump', 'od', 'free', 'top', 'vi',
  'nohup', 'pwd', 'readlink', 'realpath', 'usleep', 'wget', 'tar', 'gzip', 'gunzip', 'base64', 'nproc', 'pidof', 'watch',
];

/**
 * Builds `ref` from busybox-static into `dir`; returns the archive's path. `binaries` maps names
 * under /bin to static executables on the host to add (the benchmarks' own servers).
 */
export async function buildBusyboxImage(dir: string, ref = 'kts.test/busybox:1', binaries: Record<string, string> = {}): Promise<string> {
  const rootfs = await mkdtemp(join(dir, 'rootfs-'));
  try {
    await busyboxRootfs(rootfs, BUSYBOX_APPLETS, ['dev', 'proc', 'sys', 'tmp', 'root', 'var/www']);
    await minimalEtc(rootfs);
    for (const [name, src] of Object.entries(binaries)) {
      await copyFile(src, join(rootfs, 'bin', name));
      await chmod(join(rootfs, 'bin', name), 0o755);
    }
    const out = join(dir, `${ref.replace(/[^A-Za-z0-9_.-]+/g, '_')}.tar`);
    await buildOciArchive({ ref, rootfs, out, config: { Env: ['PATH=/bin'], Cmd: ['sh'], WorkingDir: '/' } });
    return out;
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}
