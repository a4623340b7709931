// Cluster CIDRs for test clusters that run side by side on one kernel: two clusters with the same
// pod network would fight over routes and addresses. Each reservation is a file created
// exclusively under the system temp dir, holding the owner's pid; one whose owner is gone is
// taken over. Ranges the kernel still routes (left by a cluster that was not cleaned up) are skipped.
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = join(tmpdir(), 'kts-e2e-cidrs');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryTake(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (owner && alive(owner)) return false;
    // The owner died without releasing: free it, then race for it like anyone else.
    rmSync(file, { force: true });
    return tryTake(file);
  }
}

/** Whether the kernel has any route inside `cidr` (a leftover bridge, a host-gw route). */
function routesWithin(cidr: string): boolean {
  const r = spawnSync('ip', ['-4', 'route', 'show', 'root', cidr], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '';
}

export interface CidrReservation {
  /** `10.N.0.0/16` */
  cidr: string;
  /** The pod half, `10.N.0.0/17`, and the service half, `10.N.128.0/17`, for a cluster with both. */
  podCidr: string;
  serviceCidr: string;
  release(): void;
}

/** A free `10.N.0.0/16` with N in 100..249 (others are left to tests with fixed networks). */
export function reserveClusterCidr(): CidrReservation {
  mkdirSync(DIR, { recursive: true });
  const start = Math.floor(Math.random() * 150);
  for (let i = 0; i < 150; i++) {
    const n = 100 + ((start + i) % 150);
    const file = join(DIR, `10.${n}`);
    if (tryTake(file)) {
      // A cluster that died without `kts cleanup` may have left its bridge and routes: pods of a
      // new cluster there would be unreachable from the host. Such a range is skipped.
      if (routesWithin(`10.${n}.0.0/16`)) {
        rmSync(file, { force: true });
        continue;
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { cidr: `10.${n}.0.0/16`, podCidr: `10.${n}.0.0/17`, serviceCidr: `10.${n}.128.0/17`, release };
    }
  }
  throw new Error(`no free test cluster CIDR left in ${DIR}`);
}
