// Test images without a registry: busybox-static in an OCI archive, ready for `kts image import`
// or `ctr images import`. Applets: the shell and the usual tools (busybox's wget segfaults on
// these machines: use nc).
import { mkdtemp, rm } from 'node:fs/promises';
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

/** Builds `ref` from busybox-static into `dir`; returns the archive's path. */
export async function buildBusyboxImage(dir: string, ref = 'kts.test/busybox:1'): Promise<string> {
  const rootfs = await mkdtemp(join(dir, 'rootfs-'));
  try {
    await busyboxRootfs(rootfs, BUSYBOX_APPLETS, ['dev', 'proc', 'sys', 'tmp', 'root', 'var/www']);
    await minimalEtc(rootfs);
    const out = join(dir, `${ref.replace(/[^A-Za-z0-9_.-]+/g, '_')}.tar`);
    await buildOciArchive({ ref, rootfs, out, config: { Env: ['PATH=/bin'], Cmd: ['sh'], WorkingDir: '/' } });
    return out;
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}
