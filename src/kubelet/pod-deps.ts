// The seams of the pod sync loop: what it needs from images, volumes, container specs, probes
// and hooks. Each is implemented in its own module (images/, volumes/, spec/) and wired in
// kubelet.ts; tests substitute fakes.
import type { KObject } from '../api/types.js';
import type { ContainerConfig, PodSandboxConfig } from './cri/types.js';
import type { ContainerInfo } from './runtime-cache.js';

export interface PodContainer {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  restartPolicy?: string;
  lifecycle?: { postStart?: unknown; preStop?: unknown };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  [k: string]: unknown;
}

/** A failure the user sees as the container's waiting reason (ErrImagePull, CreateContainerConfigError, …). */
export class ContainerStartError extends Error {
  constructor(readonly reason: string, message: string, readonly eventReason = 'Failed') {
    super(message);
  }
}

/** Records an event on the pod being synced. */
export type EventSink = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

export interface ImageService {
  /** Makes the image present per the pull policy; returns the image reference to run. Throws ContainerStartError. */
  ensure(pod: KObject, container: PodContainer, events: EventSink): Promise<string>;
}

export interface VolumeService {
  /** Prepares every volume of the pod (idempotent). Throws with a user-facing message. */
  setUp(pod: KObject, signal: AbortSignal): Promise<void>;
  tearDown(podUid: string): Promise<void>;
  /** Whether the pod's volumes are set up (false after a kubelet restart or a teardown). */
  isSetUp(podUid: string): boolean;
}

export interface SpecBuilder {
  sandboxConfig(pod: KObject, attempt: number): PodSandboxConfig;
  /** Throws ContainerStartError (CreateContainerConfigError) when env or mounts cannot be resolved. */
  containerConfig(pod: KObject, container: PodContainer, o: { attempt: number; imageRef: string; podIPs: string[]; sandboxConfig: PodSandboxConfig }): Promise<ContainerConfig>;
  /** The termination message a container left (its terminationMessagePath file, or logs on error as its policy says). */
  terminationMessage(pod: KObject, container: PodContainer, info: ContainerInfo): string | undefined;
  /** Hash of the parts of the spec that require a restart when they change. */
  hash(container: PodContainer): string;
}

export interface ProbeService {
  /** Starts the container's probe workers once per container ID. */
  ensure(pod: KObject, container: PodContainer, info: ContainerInfo, podIP: string | undefined): void;
  ready(info: ContainerInfo): boolean;
  started(info: ContainerInfo): boolean;
  /** A message when the liveness (or startup) probe says the container must be restarted. */
  mustRestart(info: ContainerInfo): string | undefined;
  forgetContainer(id: string): void;
  forgetPod(uid: string): void;
}

export interface HookService {
  /** Runs the hook; resolves with an error message when it failed. */
  run(kind: 'postStart' | 'preStop', pod: KObject, container: PodContainer, info: { id: string; podIP?: string }, timeoutMs: number): Promise<string | undefined>;
}

export interface CgroupService {
  ensurePod(pod: KObject): Promise<string>;
  removePod(uid: string): Promise<void>;
}
