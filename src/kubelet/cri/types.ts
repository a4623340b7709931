// TypeScript shapes of the CRI messages in schema.ts, as the gRPC loader presents them: camelCase
// field names, enums as their names, 64-bit integers as decimal strings (nanosecond timestamps do
// not fit a double), absent sub-messages as null.
export type Int64 = string;

export interface KeyValue { key: string; value: string }
export interface DnsConfig { servers?: string[]; searches?: string[]; options?: string[] }
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export interface PortMapping { protocol?: Protocol; containerPort?: number; hostPort?: number; hostIp?: string }
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export interface Mount { containerPath: string; hostPath: string; readonly?: boolean; selinuxRelabel?: boolean; propagation?: MountPropagation }
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export interface NamespaceOption { network?: NamespaceMode; pid?: NamespaceMode; ipc?: NamespaceMode; targetId?: string }
export interface Int64Value { value: Int64 | number }
export interface SecurityProfile { profileType?: 'RuntimeDefault' | 'Unconfined' | 'Localhost'; localhostRef?: string }

export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt?: number }
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory?: string;
  dnsConfig?: DnsConfig;
  portMappings?: PortMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: {
    cgroupParent?: string;
    securityContext?: {
      namespaceOptions?: NamespaceOption;
      runAsUser?: Int64Value;
      runAsGroup?: Int64Value;
      readonlyRootfs?: boolean;
      supplementalGroups?: (Int64 | number)[];
      privileged?: boolean;
      seccomp?: SecurityProfile;
    };
    sysctls?: Record<string, string>;
  };
}
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Int64;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export interface PodSandboxStatus extends PodSandbox {
  network: { ip: string; additionalIps: { ip: string }[] } | null;
}

export interface ImageSpec { image: string; annotations?: Record<string, string> }
export interface LinuxContainerResources {
  cpuPeriod?: Int64 | number;
  cpuQuota?: Int64 | number;
  cpuShares?: Int64 | number;
  memoryLimitInBytes?: Int64 | number;
  oomScoreAdj?: Int64 | number;
  cpusetCpus?: string;
  cpusetMems?: string;
  unified?: Record<string, string>;
  memorySwapLimitInBytes?: Int64 | number;
}
export interface LinuxContainerSecurityContext {
  capabilities?: { addCapabilities?: string[]; dropCapabilities?: string[]; addAmbientCapabilities?: string[] };
  privileged?: boolean;
  namespaceOptions?: NamespaceOption;
  runAsUser?: Int64Value;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: (Int64 | number)[];
  noNewPrivs?: boolean;
  runAsGroup?: Int64Value;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  seccomp?: SecurityProfile;
}
export interface ContainerMetadata { name: string; attempt?: number }
export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  devices?: { containerPath: string; hostPath: string; permissions: string }[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: { resources?: LinuxContainerResources; securityContext?: LinuxContainerSecurityContext };
}
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: ImageSpec | null;
  imageRef: string;
  state: ContainerState;
  createdAt: Int64;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  createdAt: Int64;
  startedAt: Int64;
  finishedAt: Int64;
  exitCode: number;
  image: ImageSpec | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: Mount[];
  logPath: string;
}
export interface ContainerStats {
  attributes: { id: string; metadata: ContainerMetadata; labels: Record<string, string>; annotations: Record<string, string> } | null;
  cpu: { timestamp: Int64; usageCoreNanoSeconds: { value: Int64 } | null; usageNanoCores: { value: Int64 } | null } | null;
  memory: { timestamp: Int64; workingSetBytes: { value: Int64 } | null; usageBytes: { value: Int64 } | null; rssBytes: { value: Int64 } | null } | null;
  writableLayer: { usedBytes: { value: Int64 } | null } | null;
}
export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: Int64;
  uid: { value: Int64 } | null;
  username: string;
  pinned: boolean;
}
export interface AuthConfig { username?: string; password?: string; auth?: string; serverAddress?: string; identityToken?: string; registryToken?: string }
export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }
export interface FilesystemUsage { timestamp: Int64; fsId: { mountpoint: string } | null; usedBytes: { value: Int64 } | null; inodesUsed: { value: Int64 } | null }

/** Nanoseconds since the epoch (a CRI timestamp) → milliseconds; 0 stays 0. */
export function nanosToMillis(ns: Int64 | number | null | undefined): number {
  if (ns === null || ns === undefined) return 0;
  return Number(BigInt(ns) / 1_000_000n);
}
