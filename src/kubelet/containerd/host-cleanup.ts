// Host state a node leaves outside containerd's records: mounts under its folders (container
// rootfs overlays, sandbox shm, volumes) and pod cgroups in every cgroup v1 hierarchy.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mount points in /proc/self/mountinfo (octal escapes decoded). */
export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** Mount points at or under one of `roots`, deepest first (the order to unmount them). */
export function mountsUnder(points: string[], roots: string[]): string[] {
  const inside = (p: string) => roots.some((r) => p === r || p.startsWith(r.endsWith('/') ? r : r + '/'));
  return [...new Set(points.filter(inside))].sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a));
}

/** Unmounts everything under `roots`; returns the mount points removed. */
export async function unmountUnder(roots: string[]): Promise<string[]> {
  const done: string[] = [];
  // A mount point can be stacked several times; repeat until none is left.
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(parseMountPoints(readFileSync('/proc/self/mountinfo', 'utf8')), roots);
    if (!points.length) break;
    for (const p of points) {
      try {
        await run('umount', [p]);
      } catch {
        await run('umount', ['-l', p]).catch(() => undefined);
      }
      done.push(p);
    }
  }
  return done;
}

/** The pod cgroup folders the kubelet uses, relative to a hierarchy's root. */
export function podCgroupPaths(uid: string, root = 'kubepods'): string[] {
  return [`${root}/pod${uid}`, `${root}/burstable/pod${uid}`, `${root}/besteffort/pod${uid}`];
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** rmdir of a cgroup tree, children first. */
async function removeCgroupTree(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory()) await removeCgroupTree(join(dir, e.name));
  await rmdir(dir);
}

/** Every mounted cgroup hierarchy (v1 controllers, named ones and the v2 one). */
export function cgroupHierarchies(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const out: string[] = [];
  for (const l of mountinfo.split('\n')) {
    const sep = l.indexOf(' - ');
    if (sep < 0) continue;
    const fstype = l.slice(sep + 3).split(' ')[0];
    if (fstype === 'cgroup' || fstype === 'cgroup2') out.push(parseMountPoints(l)[0]);
  }
  return out;
}

/** Removes the pod cgroups of `uids` in every hierarchy; returns the folders removed (errors listed apart). */
export async function removePodCgroups(uids: string[], o: { root?: string; hierarchies?: string[] } = {}): Promise<{ removed: string[]; failed: string[] }> {
  const removed: string[] = [];
  const failed: string[] = [];
  for (const h of o.hierarchies ?? cgroupHierarchies()) {
    for (const uid of uids) {
      for (const rel of podCgroupPaths(uid, o.root)) {
        const dir = join(h, rel);
        if (!(await isDir(dir))) continue;
        try {
          await removeCgroupTree(dir);
          removed.push(dir);
        } catch (e) {
          failed.push(`${dir}: ${(e as Error).message}`);
        }
      }
    }
  }
  return { removed, failed };
}
