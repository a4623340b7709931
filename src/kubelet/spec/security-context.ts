// The CRI security context of a container: the pod's securityContext overlaid by the container's
// (upstream's DetermineEffectiveSecurityContext), namespaces, groups, no_new_privs, masked paths,
// seccomp; and the runAsNonRoot check the kubelet makes before creating a container.
import type { Image, LinuxContainerSecurityContext, NamespaceOption, SecurityProfile } from '../cri/types.js';
import { formatPod, type Container, type Pod, type SecurityContext, type SeccompProfile } from './types.js';

export const DEFAULT_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** A pod spec problem the kubelet reports as CreateContainerConfigError (the container is not created). */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

/** Namespace modes: host namespaces → NODE; shareProcessNamespace → one pid namespace per POD. */
export function namespacesForPod(pod: Pod): NamespaceOption {
  const s = pod.spec;
  return {
    network: s.hostNetwork ? 'NODE' : 'POD',
    pid: s.hostPID ? 'NODE' : s.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: s.hostIPC ? 'NODE' : 'POD',
  };
}

/** Container fields win over the pod's for the fields both have. */
export function effectiveSecurityContext(pod: Pod, container: Container): SecurityContext {
  const p = pod.spec.securityContext ?? {};
  const c = container.securityContext ?? {};
  const out: SecurityContext = { ...c };
  for (const k of ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seccompProfile'] as const) {
    if (out[k] === undefined && p[k] !== undefined) (out as Record<string, unknown>)[k] = p[k];
  }
  return out;
}

/** The image's user as upstream reads ImageStatus: uid, else a user name, else root. */
export function imageUser(image: Pick<Image, 'uid' | 'username'> | null | undefined): { uid?: number; username: string } {
  if (image?.uid) return { uid: Number(image.uid.value), username: '' };
  if (image?.username) return { username: image.username };
  return { uid: 0, username: '' };
}

/** Throws when runAsNonRoot is set and the container would run as root (or cannot be shown not to). */
export function verifyRunAsNonRoot(pod: Pod, container: Container, user: { uid?: number; username: string }): void {
  const sc = effectiveSecurityContext(pod, container);
  if (!sc.runAsNonRoot) return;
  const who = `(pod: ${JSON.stringify(formatPod(pod))}, container: ${container.name})`;
  if (sc.runAsUser !== undefined) {
    if (sc.runAsUser === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy ${who}`);
    return;
  }
  if (user.uid === 0) throw new ContainerConfigError(`container has runAsNonRoot and image will run as root ${who}`);
  if (user.uid === undefined && user.username) {
    throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${user.username}), cannot verify user is non-root ${who}`);
  }
}

/**
 * CRI capability names carry no `CAP_` prefix (the runtime adds it), so a `CAP_` written in the
 * pod spec is stripped rather than doubled.
 */
function capabilityName(c: string): string {
  return c.toUpperCase().startsWith('CAP_') ? c.slice(4).toUpperCase() : c.toUpperCase();
}

function seccomp(profile: SeccompProfile | undefined, profileRoot: string | undefined, containerName: string): SecurityProfile {
  if (!profile) return { profileType: 'Unconfined' };
  switch (profile.type) {
    case 'RuntimeDefault':
      return { profileType: 'RuntimeDefault' };
    case 'Unconfined':
      return { profileType: 'Unconfined' };
    case 'Localhost':
      if (!profile.localhostProfile) throw new ContainerConfigError(`localhostProfile must be set if seccomp profile type is Localhost (container ${containerName})`);
      if (!profileRoot) throw new ContainerConfigError(`seccomp profile type Localhost is not supported on this node (container ${containerName})`);
      return { profileType: 'Localhost', localhostRef: `${profileRoot.replace(/\/$/, '')}/${profile.localhostProfile}` };
    default:
      throw new ContainerConfigError(`unsupported seccomp profile type ${JSON.stringify((profile as SeccompProfile).type)} (container ${containerName})`);
  }
}

export function containerSecurityContext(
  pod: Pod,
  container: Container,
  user: { uid?: number; username: string },
  opts: { seccompProfileRoot?: string } = {},
): LinuxContainerSecurityContext {
  const sc = effectiveSecurityContext(pod, container);
  const out: LinuxContainerSecurityContext = {};
  if (sc.capabilities) {
    out.capabilities = { addCapabilities: (sc.capabilities.add ?? []).map(capabilityName), dropCapabilities: (sc.capabilities.drop ?? []).map(capabilityName) };
  }
  if (sc.privileged) out.privileged = true;
  if (sc.readOnlyRootFilesystem) out.readonlyRootfs = true;
  if (sc.runAsUser !== undefined) out.runAsUser = { value: sc.runAsUser };
  else {
    if (user.uid !== undefined) out.runAsUser = { value: user.uid };
    if (user.username) out.runAsUsername = user.username;
  }
  if (sc.runAsGroup !== undefined) out.runAsGroup = { value: sc.runAsGroup };
  out.namespaceOptions = namespacesForPod(pod);
  const groups: number[] = [];
  const psc = pod.spec.securityContext;
  if (psc?.fsGroup !== undefined) groups.push(psc.fsGroup);
  groups.push(...(psc?.supplementalGroups ?? []));
  if (groups.length) out.supplementalGroups = groups;
  // no_new_privs only when allowPrivilegeEscalation is explicitly false.
  if (sc.allowPrivilegeEscalation === false) out.noNewPrivs = true;
  // A privileged container sees the host's /proc and /sys unmasked (the runtime ignores the lists).
  const unmasked = sc.procMount === 'Unmasked' || sc.privileged === true;
  out.maskedPaths = unmasked ? [] : [...DEFAULT_MASKED_PATHS];
  out.readonlyPaths = unmasked ? [] : [...DEFAULT_READONLY_PATHS];
  out.seccomp = seccomp(sc.seccompProfile, opts.seccompProfileRoot, container.name);
  return out;
}
