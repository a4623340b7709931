// Finding containerd and its shims by argv: the supervisor uses it to replace a containerd that
// an agent killed with -9 left behind, and `kts cleanup` to stop the node's containerd.
import { findProcesses } from '../../util/process.js';

export { processArgs, isAlive, findProcesses, stopProcess, parentPid } from '../../util/process.js';

/** containerd processes started with `-c <configPath>` (ours for this data dir). */
export function findContainerd(configPath: string): number[] {
  return findProcesses((a) => /(^|\/)containerd$/.test(a[0]) && a.some((x, i) => (x === '-c' || x === '--config') && a[i + 1] === configPath));
}

/** Pids of the containerd shims serving the containerd at `socket` (they carry `-address <socket>`). */
export function findShims(socket: string): number[] {
  return findProcesses((a) => /containerd-shim/.test(a[0]) && a.some((x, i) => x === '-address' && a[i + 1] === socket));
}

