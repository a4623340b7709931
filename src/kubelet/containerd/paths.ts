// Where a node's containerd keeps its files. Everything lives under <data-dir>/agent/containerd,
// except what must be short or on the runtime state filesystem: the per-data-dir folder
// /run/kts/<id>/ holds containerd's state dir (mounts, sandbox shm, bundles) and, when the data
// dir is too deep for a unix socket path (108 bytes), the socket itself.
import { createHash } from 'node:crypto';
import { resolve, join } from 'node:path';

/** sun_path is 108 bytes with the NUL; containerd also listens on `<socket>.ttrpc`. */
export const MAX_SOCKET_PATH = 107 - '.ttrpc'.length;

export interface ContainerdPaths {
  /** <data-dir>/agent/containerd */
  dir: string;
  config: string;
  /** containerd's root (content store, snapshots, metadata). */
  root: string;
  /** containerd's state dir, under /run/kts/<id>/. */
  state: string;
  /** The per-data-dir folder under /run/kts. */
  runDir: string;
  socket: string;
  log: string;
  pidFile: string;
  /** Where hosts.toml files for registries go (containerd's registry config_path). */
  certsDir: string;
  /** The CNI conflist folder (containerd's conf_dir). */
  cniConfDir: string;
  /** Image archives imported at agent start. */
  imagesDir: string;
  /** registries.yaml (k3s's format). */
  registriesFile: string;
}

/** A short stable id for a data dir: 12 hex of the sha256 of its absolute path. */
export function dataDirId(dataDir: string): string {
  return createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12);
}

export function containerdPaths(dataDir: string, runRoot = '/run/kts'): ContainerdPaths {
  const abs = resolve(dataDir);
  const agent = join(abs, 'agent');
  const dir = join(agent, 'containerd');
  const runDir = join(runRoot, dataDirId(abs));
  const preferred = join(dir, 'containerd.sock');
  return {
    dir,
    config: join(dir, 'config.toml'),
    root: join(dir, 'root'),
    state: join(runDir, 'containerd'),
    runDir,
    socket: Buffer.byteLength(preferred) <= MAX_SOCKET_PATH ? preferred : join(runDir, 'containerd.sock'),
    log: join(dir, 'containerd.log'),
    pidFile: join(dir, 'containerd.pid'),
    certsDir: join(dir, 'certs.d'),
    cniConfDir: join(agent, 'etc', 'cni', 'net.d'),
    imagesDir: join(agent, 'images'),
    registriesFile: join(agent, 'registries.yaml'),
  };
}
