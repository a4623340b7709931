// Pod cgroups. runc creates a pod's cgroup (the sandbox's cgroup_parent) in every hierarchy but
// never removes it, so the kubelet removes them when the pod is gone: /kubepods/pod<uid>
// (Guaranteed), /kubepods/burstable/pod<uid>, /kubepods/besteffort/pod<uid>, in each cgroup v1
// hierarchy (or the one v2 tree). Container cgroups under them are removed by runc first.
import { readdirSync, rmdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KObject } from '../api/types.js';
import type { CgroupService } from './pod-deps.js';
import { podCgroupParent } from './spec/resources.js';
import type { Pod } from './spec/types.js';

const ROOT = '/sys/fs/cgroup';

/** Every hierarchy's mount point: the v1 controllers, or the unified v2 root. */
export function hierarchies(root = ROOT): string[] {
  if (existsSync(join(root, 'cgroup.controllers'))) return [root];
  try {
    return readdirSync(root).map((d) => join(root, d)).filter((p) => {
      try {
        return statSync(p).isDirectory() && !p.endsWith('/unified') && !p.endsWith('/systemd');
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

/** Removes a cgroup directory tree bottom-up (cgroup dirs can only be rmdir'ed when empty of children). */
export function removeCgroupTree(dir: string): boolean {
  if (!existsSync(dir)) return false;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(join(dir, e.name));
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

export class PodCgroups implements CgroupService {
  constructor(private readonly root = ROOT) {}

  async ensurePod(pod: KObject): Promise<string> {
    return podCgroupParent(pod as Pod);
  }

  async removePod(uid: string): Promise<void> {
    for (const h of hierarchies(this.root)) {
      for (const parent of ['kubepods', 'kubepods/burstable', 'kubepods/besteffort']) removeCgroupTree(join(h, parent, `pod${uid}`));
    }
  }
}
