// Pod cgroups. runc creates a pod's cgroup (the sandbox's cgroup_parent) in every hierarchy but
// never removes it, so the kubelet removes them when the pod is gone: /kubepods/pod<uid>
// (Guaranteed), /kubepods/burstable/pod<uid>, /kubepods/besteffort/pod<uid>, in each cgroup v1
// hierarchy (or the one v2 tree). Container cgroups under them are removed by runc first.
import { readdirSync, rmdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KObject } from '../api/types.js';
import type { CgroupService } from './pod-deps.js';

const ROOT = '/sys/fs/cgroup';

/** The QoS class as upstream computes it (status.qosClass when the API server already set it). */
export function qosOf(pod: KObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const set = (pod.status as { qosClass?: string } | undefined)?.qosClass;
  if (set === 'Guaranteed' || set === 'Burstable' || set === 'BestEffort') return set;
  const spec = (pod.spec ?? {}) as { containers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[]; initContainers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] };
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      const rq = req[r] ?? lim[r];
      if (lim[r] === undefined || rq !== lim[r]) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function podCgroupParent(pod: KObject): string {
  const q = qosOf(pod);
  const uid = pod.metadata.uid!;
  return q === 'Guaranteed' ? `/kubepods/pod${uid}` : `/kubepods/${q.toLowerCase()}/pod${uid}`;
}

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
    return podCgroupParent(pod);
  }

  async removePod(uid: string): Promise<void> {
    for (const h of hierarchies(this.root)) {
      for (const parent of ['kubepods', 'kubepods/burstable', 'kubepods/besteffort']) removeCgroupTree(join(h, parent, `pod${uid}`));
    }
  }
}
