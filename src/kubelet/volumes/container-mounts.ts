// A container's volumeMounts → CRI mounts: the volume's host path (plus subPath, or subPathExpr
// expanded from the container's environment), read-only when the mount, the claim or the volume
// type says so, and mount propagation mapped to CRI's values.
import { mkdirSync, realpathSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import type { Container, Mount, Pod, VolumeMount } from './types.js';

export interface PreparedVolume {
  hostPath: string;
  readOnly: boolean;
}

/** Resolves a variable of the container's environment (`$(VAR)` in subPathExpr). */
export type EnvResolver = (name: string) => string | undefined;

export function containerMounts(pod: Pod, container: Container, volumes: Map<string, PreparedVolume>, resolveEnv: EnvResolver = () => undefined): Mount[] {
  if (container.volumeDevices?.length) throw new Error(`container "${container.name}": volumeDevices (raw block volumes) are not supported`);
  const out: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const vol = volumes.get(vm.name);
    if (!vol) throw new Error(`cannot find volume "${vm.name}" to mount into container "${container.name}"`);
    let hostPath = vol.hostPath;
    const sub = vm.subPathExpr !== undefined && vm.subPathExpr !== '' ? expand(vm.subPathExpr, resolveEnv) : vm.subPath;
    if (sub) hostPath = subPathOf(vol.hostPath, sub, vm.name);
    out.push({
      containerPath: vm.mountPath,
      hostPath,
      readonly: Boolean(vm.readOnly) || vol.readOnly,
      propagation: propagation(vm, container),
    });
  }
  return out;
}

function propagation(vm: VolumeMount, c: Container): Mount['propagation'] {
  switch (vm.mountPropagation ?? 'None') {
    case 'None':
      return 'private';
    case 'HostToContainer':
      return 'rslave';
    case 'Bidirectional':
      if (!c.securityContext?.privileged) throw new Error(`container "${c.name}": Bidirectional mount propagation is available only to privileged containers`);
      return 'rshared';
  }
  throw new Error(`invalid mountPropagation "${vm.mountPropagation}" for volume "${vm.name}"`);
}

/**
 * The host path of `sub` inside the volume. Created as a directory when missing (as upstream),
 * and resolved through symlinks so it must stay inside the volume: a link pointing out of it
 * (at `/etc`, say) is refused rather than handed to the runtime.
 */
export function subPathOf(volumePath: string, sub: string, volumeName: string): string {
  if (posix.isAbsolute(sub)) throw new Error(`subPath "${sub}" of volume "${volumeName}" must be a relative path`);
  if (sub.split('/').includes('..')) throw new Error(`subPath "${sub}" of volume "${volumeName}" must not contain '..'`);
  const p = join(volumePath, sub);
  try {
    mkdirSync(p, { recursive: true, mode: 0o750 });
  } catch (e) {
    // Something that is not a directory (a projected file) is fine: it is mounted as a file.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR') throw e;
  }
  const root = realpathSync(volumePath);
  const real = realpathSync(p);
  if (real !== root && !real.startsWith(root + sep)) throw new Error(`subpath "${sub}" of volume "${volumeName}" resolves outside the volume`);
  return real;
}

/** Kubernetes' `$(VAR)` expansion: `$$` escapes `$`, unknown variables stay as written. */
export function expand(s: string, resolve: EnvResolver): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$' || i + 1 >= s.length) {
      out += s[i];
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = s.indexOf(')', i + 2);
      if (end < 0) {
        out += s.slice(i);
        break;
      }
      const name = s.slice(i + 2, end);
      const v = resolve(name);
      out += v ?? `$(${name})`;
      i = end;
    } else out += '$';
  }
  return out;
}
