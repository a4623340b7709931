// From a Pod's container to the CRI ContainerConfig the kubelet passes to CreateContainer, as
// upstream's generateContainerConfig: metadata, image, expanded command/args, env, mounts (volumes,
// the managed /etc/hosts, the termination message file), labels and annotations, log path, and the
// linux resources and security context. Refuses runAsNonRoot containers that would run as root.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerConfig, Image, KeyValue, Mount, MountPropagation } from '../cri/types.js';
import { expandCommandAndArgs } from './expansion.js';
import { containerHash } from './hash.js';
import { linuxResources } from './resources.js';
import { containerSecurityContext, imageUser, verifyRunAsNonRoot } from './security-context.js';
import type { Container, ContainerPort, Pod } from './types.js';

export { containerHash } from './hash.js';
export { podCgroupParent, qosClass, type QOSClass } from './resources.js';
export { ContainerConfigError } from './security-context.js';

export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
export const ANNOTATION_CONTAINER_HASH = 'io.kubernetes.container.hash';
export const ANNOTATION_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const ANNOTATION_TERMINATION_MESSAGE_PATH = 'io.kubernetes.container.terminationMessagePath';
export const ANNOTATION_TERMINATION_MESSAGE_POLICY = 'io.kubernetes.container.terminationMessagePolicy';
export const ANNOTATION_DELETION_GRACE_PERIOD = 'io.kubernetes.pod.deletionGracePeriod';
export const ANNOTATION_TERMINATION_GRACE_PERIOD = 'io.kubernetes.pod.terminationGracePeriod';
export const ANNOTATION_PRESTOP_HANDLER = 'io.kubernetes.container.preStopHandler';
export const ANNOTATION_PORTS = 'io.kubernetes.container.ports';

/** A mount from the volume manager: CRI propagation names, or the short ones (private, rslave, rshared). */
export type VolumeMount = Mount | { containerPath: string; hostPath: string; readonly?: boolean; propagation?: 'private' | 'rslave' | 'rshared' };

export interface ContainerConfigOptions {
  /** CRI metadata attempt; a restart needs a higher one than the previous container's. */
  attempt: number;
  /** The resolved environment (see resolveEnv). */
  env: KeyValue[];
  mounts: VolumeMount[];
  restartCount: number;
  /** Total memory of the node in bytes: the Burstable OOM score is relative to it. */
  nodeMemoryBytes: number;
  /** The pulled image reference (ImageStatus id); default the container's image. */
  imageRef?: string;
  /** The image's user (from ImageStatus), for runAsNonRoot and the default user. Absent = root. */
  image?: Pick<Image, 'uid' | 'username'> | null;
  /** Host path of the pod's managed hosts file (see writeHostsFile); mounted on /etc/hosts. */
  hostsPath?: string;
  /** Host path of the container's termination message file (see createTerminationMessageFile). */
  terminationMessageHostPath?: string;
  /** Relative to the sandbox log directory; default `<name>/<attempt>.log`. */
  logPath?: string;
  podIP?: string;
  seccompProfileRoot?: string;
}

export function containerLogPath(containerName: string, attempt: number): string {
  return `${containerName}/${attempt}.log`;
}

export function containerLabels(pod: Pod, container: Container): Record<string, string> {
  return {
    [LABEL_POD_NAME]: pod.metadata.name ?? '',
    [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? '',
    [LABEL_POD_UID]: pod.metadata.uid ?? '',
    [LABEL_CONTAINER_NAME]: container.name,
  };
}

/** The container's ports as Go's encoding/json writes []ContainerPort (field order, omitempty). */
function portsJson(ports: ContainerPort[]): string {
  return JSON.stringify(ports.map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    ...(p.hostPort ? { hostPort: p.hostPort } : {}),
    containerPort: p.containerPort,
    ...(p.protocol ? { protocol: p.protocol } : {}),
    ...(p.hostIP ? { hostIP: p.hostIP } : {}),
  })));
}

export function containerAnnotations(pod: Pod, container: Container, restartCount: number): Record<string, string> {
  const a: Record<string, string> = {
    [ANNOTATION_CONTAINER_HASH]: containerHash(container),
    [ANNOTATION_RESTART_COUNT]: String(restartCount),
    [ANNOTATION_TERMINATION_MESSAGE_PATH]: container.terminationMessagePath ?? '',
    [ANNOTATION_TERMINATION_MESSAGE_POLICY]: container.terminationMessagePolicy ?? '',
  };
  if (pod.metadata.deletionGracePeriodSeconds !== undefined) a[ANNOTATION_DELETION_GRACE_PERIOD] = String(pod.metadata.deletionGracePeriodSeconds);
  if (pod.spec.terminationGracePeriodSeconds !== undefined) a[ANNOTATION_TERMINATION_GRACE_PERIOD] = String(pod.spec.terminationGracePeriodSeconds);
  if (container.lifecycle?.preStop) a[ANNOTATION_PRESTOP_HANDLER] = JSON.stringify(container.lifecycle.preStop);
  if (container.ports?.length) a[ANNOTATION_PORTS] = portsJson(container.ports);
  return a;
}

const PROPAGATION: Record<string, MountPropagation> = {
  private: 'PROPAGATION_PRIVATE',
  rslave: 'PROPAGATION_HOST_TO_CONTAINER',
  rshared: 'PROPAGATION_BIDIRECTIONAL',
};

function criMount(m: VolumeMount): Mount {
  const out: Mount = { containerPath: m.containerPath, hostPath: m.hostPath, readonly: m.readonly ?? false };
  if (m.propagation) out.propagation = PROPAGATION[m.propagation] ?? (m.propagation as MountPropagation);
  if ('selinuxRelabel' in m && m.selinuxRelabel) out.selinuxRelabel = true;
  return out;
}

export function containerMounts(container: Container, opts: Pick<ContainerConfigOptions, 'mounts' | 'hostsPath' | 'terminationMessageHostPath'>): Mount[] {
  const mounts = opts.mounts.map(criMount);
  if (opts.hostsPath && !mounts.some((m) => m.containerPath === '/etc/hosts')) {
    mounts.push({ containerPath: '/etc/hosts', hostPath: opts.hostsPath, readonly: false, selinuxRelabel: true });
  }
  if (opts.terminationMessageHostPath && container.terminationMessagePath) {
    mounts.push({ containerPath: container.terminationMessagePath, hostPath: opts.terminationMessageHostPath, readonly: false, selinuxRelabel: true });
  }
  return mounts;
}

export function containerConfig(pod: Pod, container: Container, opts: ContainerConfigOptions): ContainerConfig {
  const user = imageUser(opts.image);
  verifyRunAsNonRoot(pod, container, user);
  const image = opts.imageRef ?? container.image;
  if (!image) throw new Error(`container ${container.name} has no image`);
  const { command, args } = expandCommandAndArgs(container, opts.env);
  return {
    metadata: { name: container.name, attempt: opts.attempt },
    image: { image },
    command,
    args,
    workingDir: container.workingDir ?? '',
    envs: opts.env,
    mounts: containerMounts(container, opts),
    labels: containerLabels(pod, container),
    annotations: containerAnnotations(pod, container, opts.restartCount),
    logPath: opts.logPath ?? containerLogPath(container.name, opts.attempt),
    stdin: container.stdin ?? false,
    stdinOnce: container.stdinOnce ?? false,
    tty: container.tty ?? false,
    linux: {
      resources: linuxResources(pod, container, opts.nodeMemoryBytes),
      securityContext: containerSecurityContext(pod, container, user, { seccompProfileRoot: opts.seccompProfileRoot }),
    },
  };
}

/**
 * Creates the empty, world-writable file a container's terminationMessagePath is mounted from:
 * `<podDir>/containers/<name>/<random id>`, a new one per container instance. Returns its path.
 */
export async function createTerminationMessageFile(podDir: string, containerName: string): Promise<string> {
  const dir = join(podDir, 'containers', containerName);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const path = join(dir, randomBytes(4).toString('hex'));
  await writeFile(path, '', { flag: 'wx' });
  await chmod(path, 0o666);
  return path;
}
