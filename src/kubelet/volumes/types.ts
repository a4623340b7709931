// What the volume plugins share: the slices of the Pod they read, the context a set-up gets, and
// the error the kubelet reports (upstream's `MountVolume.SetUp failed for volume "v" : why`).
import type { KObject } from '../../api/types.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Logger } from '../../util/log.js';

export type Spec = Record<string, unknown>;

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  subPathExpr?: string;
  mountPropagation?: 'None' | 'HostToContainer' | 'Bidirectional';
}

export interface Container {
  name: string;
  volumeMounts?: VolumeMount[];
  volumeDevices?: unknown[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  securityContext?: { privileged?: boolean };
  [key: string]: unknown;
}

export interface PodSpec {
  volumes?: Spec[];
  containers: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  serviceAccountName?: string;
  nodeName?: string;
  securityContext?: { fsGroup?: number };
}

export interface Pod extends KObject {
  spec: PodSpec;
}

/** A CRI mount, as the kubelet passes it to CreateContainer. */
export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  propagation?: 'private' | 'rslave' | 'rshared';
}

/** Node values the downward API falls back to when a container sets no limit. */
export type NodeAllocatable = () => Promise<Record<string, string>>;

/** Issues (and caches) service account tokens for projected volumes. */
export interface TokenSource {
  token(pod: Pod, audience: string, expirationSeconds: number): Promise<string>;
}

export interface SetUpContext {
  pod: Pod;
  volume: Spec;
  /** `<podsDir>/<uid>/volumes/<plugin>/<name>`; plugins that keep no files there ignore it. */
  dir: string;
  client: RestClient;
  tokens: TokenSource;
  nodeAllocatable: NodeAllocatable;
  log: Logger;
}

export interface VolumePlugin {
  /** Directory name under `volumes/`, upstream's escaped plugin name (`kubernetes.io~secret`). */
  dirName: string;
  /** The key of the volume source this plugin handles (`emptyDir`, `configMap`, …). */
  source: string;
  /** Whether the periodic refresh rewrites it (API-data volumes). */
  refreshable: boolean;
  /** API-data volumes are always mounted read-only, as upstream since 1.10. */
  alwaysReadOnly: boolean;
  /** Prepares the volume; returns the host path that containers mount. */
  setUp(ctx: SetUpContext): Promise<string>;
}

/** A set-up failure the user must see (in an event, as upstream's FailedMount). */
export class VolumeError extends Error {
  constructor(
    readonly volume: string,
    readonly reason: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${reason}`);
  }
}

/** One or more volumes of a pod could not be set up. */
export class VolumeSetUpError extends Error {
  constructor(readonly failures: VolumeError[]) {
    super(failures.map((f) => f.message).join('; '));
  }
}

export function fsGroupOf(pod: Pod): number | undefined {
  const g = pod.spec.securityContext?.fsGroup;
  return typeof g === 'number' ? g : undefined;
}
