// A typed CRI v1 client over gRPC (unix socket). Each call has a deadline; failures become
// CriError carrying the gRPC status code and the text upstream tools print
// (`rpc error: code = NotFound desc = …`).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { criProto } from './schema.js';
import type {
  AuthConfig, Container, ContainerConfig, ContainerState, ContainerStats, ContainerStatus, FilesystemUsage, Image,
  LinuxContainerResources, PodSandbox, PodSandboxConfig, PodSandboxState, PodSandboxStatus, RuntimeCondition,
} from './types.js';

const codeNames = Object.fromEntries(Object.entries(grpc.status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k])) as Record<number, string>;
const camel = (s: string) => s.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^[a-z]/, (c) => c.toUpperCase());

export class CriError extends Error {
  constructor(readonly code: number, readonly details: string, readonly method: string) {
    super(`rpc error: code = ${camel(codeNames[code] ?? String(code))} desc = ${details}`);
  }
  get notFound(): boolean {
    return this.code === grpc.status.NOT_FOUND;
  }
}

let services: { runtime: grpc.ServiceClientConstructor; image: grpc.ServiceClientConstructor } | undefined;
function loadServices() {
  if (services) return services;
  const root = protobuf.parse(criProto, { keepCase: false }).root;
  const def = protoLoader.fromJSON(root.toJSON(), { longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: { RuntimeService: grpc.ServiceClientConstructor; ImageService: grpc.ServiceClientConstructor } } };
  services = { runtime: pkg.runtime.v1.RuntimeService, image: pkg.runtime.v1.ImageService };
  return services;
}

export interface SandboxFilter { id?: string; state?: PodSandboxState; labelSelector?: Record<string, string> }
export interface ContainerFilter { id?: string; state?: ContainerState; podSandboxId?: string; labelSelector?: Record<string, string> }
export interface StreamRequest { tty?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean }

type Callable = Record<string, (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void>;

export class CriClient {
  private readonly runtime: grpc.Client;
  private readonly images: grpc.Client;

  /** endpoint: a socket path or `unix:///path`. */
  constructor(readonly endpoint: string, private readonly defaultTimeoutMs = 120_000) {
    const target = endpoint.startsWith('unix:') ? endpoint : `unix://${endpoint}`;
    const s = loadServices();
    const opts = { 'grpc.max_receive_message_length': 16 * 1024 * 1024 + 4096 };
    this.runtime = new s.runtime(target, grpc.credentials.createInsecure(), opts);
    this.images = new s.image(target, grpc.credentials.createInsecure(), opts);
  }

  close(): void {
    this.runtime.close();
    this.images.close();
  }

  private call<T>(client: grpc.Client, method: string, req: unknown, timeoutMs = this.defaultTimeoutMs): Promise<T> {
    return new Promise((resolve, reject) => {
      const opts: grpc.CallOptions = timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {};
      (client as unknown as Callable)[method]!(req, new grpc.Metadata(), opts, (err, res) => {
        if (err) reject(new CriError(err.code, err.details || err.message, method));
        else resolve(res as T);
      });
    });
  }
  private rt<T>(method: string, req: unknown, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.runtime, method, req, timeoutMs);
  }
  private img<T>(method: string, req: unknown, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.images, method, req, timeoutMs);
  }

  version(timeoutMs = 5000): Promise<{ version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }> {
    return this.rt('Version', { version: 'v1' }, timeoutMs);
  }
  async status(): Promise<RuntimeCondition[]> {
    const r = await this.rt<{ status: { conditions: RuntimeCondition[] } | null }>('Status', {}, 10_000);
    return r.status?.conditions ?? [];
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    return (await this.rt<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler })).podSandboxId;
  }
  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.rt('StopPodSandbox', { podSandboxId });
  }
  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.rt('RemovePodSandbox', { podSandboxId });
  }
  async podSandboxStatus(podSandboxId: string, verbose = false): Promise<{ status: PodSandboxStatus; info: Record<string, string> }> {
    return this.rt('PodSandboxStatus', { podSandboxId, verbose });
  }
  async listPodSandbox(filter: SandboxFilter = {}): Promise<PodSandbox[]> {
    const f = { id: filter.id ?? '', state: filter.state ? { state: filter.state } : null, labelSelector: filter.labelSelector ?? {} };
    return (await this.rt<{ items: PodSandbox[] }>('ListPodSandbox', { filter: f })).items;
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    return (await this.rt<{ containerId: string }>('CreateContainer', { podSandboxId, config, sandboxConfig })).containerId;
  }
  async startContainer(containerId: string): Promise<void> {
    await this.rt('StartContainer', { containerId });
  }
  /** timeoutSec: grace period before the runtime kills the container. */
  async stopContainer(containerId: string, timeoutSec: number): Promise<void> {
    await this.rt('StopContainer', { containerId, timeout: timeoutSec }, (timeoutSec + 60) * 1000);
  }
  async removeContainer(containerId: string): Promise<void> {
    await this.rt('RemoveContainer', { containerId });
  }
  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    const f = { id: filter.id ?? '', state: filter.state ? { state: filter.state } : null, podSandboxId: filter.podSandboxId ?? '', labelSelector: filter.labelSelector ?? {} };
    return (await this.rt<{ containers: Container[] }>('ListContainers', { filter: f })).containers;
  }
  async containerStatus(containerId: string, verbose = false): Promise<{ status: ContainerStatus; info: Record<string, string> }> {
    return this.rt('ContainerStatus', { containerId, verbose });
  }
  async updateContainerResources(containerId: string, linux: LinuxContainerResources): Promise<void> {
    await this.rt('UpdateContainerResources', { containerId, linux });
  }
  async reopenContainerLog(containerId: string): Promise<void> {
    await this.rt('ReopenContainerLog', { containerId });
  }
  /** Runs cmd to completion (timeoutSec 0 = no limit). */
  async execSync(containerId: string, cmd: string[], timeoutSec = 0): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
    return this.rt('ExecSync', { containerId, cmd, timeout: timeoutSec }, timeoutSec > 0 ? (timeoutSec + 10) * 1000 : 0);
  }
  async exec(containerId: string, cmd: string[], o: StreamRequest): Promise<string> {
    return (await this.rt<{ url: string }>('Exec', { containerId, cmd, ...o })).url;
  }
  async attach(containerId: string, o: StreamRequest): Promise<string> {
    return (await this.rt<{ url: string }>('Attach', { containerId, ...o })).url;
  }
  async portForward(podSandboxId: string, ports: number[]): Promise<string> {
    return (await this.rt<{ url: string }>('PortForward', { podSandboxId, port: ports })).url;
  }
  async containerStats(containerId: string): Promise<ContainerStats | null> {
    return (await this.rt<{ stats: ContainerStats | null }>('ContainerStats', { containerId })).stats;
  }
  async listContainerStats(filter: { id?: string; podSandboxId?: string; labelSelector?: Record<string, string> } = {}): Promise<ContainerStats[]> {
    return (await this.rt<{ stats: ContainerStats[] }>('ListContainerStats', { filter })).stats;
  }

  async listImages(image?: string): Promise<Image[]> {
    return (await this.img<{ images: Image[] }>('ListImages', { filter: image ? { image: { image } } : null })).images;
  }
  /** The image, or null when it is not present. */
  async imageStatus(image: string): Promise<Image | null> {
    return (await this.img<{ image: Image | null }>('ImageStatus', { image: { image } })).image;
  }
  /** Pulls (no deadline by default: large images take long); returns the image reference. */
  async pullImage(image: string, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig, timeoutMs = 0): Promise<string> {
    return (await this.img<{ imageRef: string }>('PullImage', { image: { image }, auth: auth ?? null, sandboxConfig: sandboxConfig ?? null }, timeoutMs)).imageRef;
  }
  async removeImage(image: string): Promise<void> {
    await this.img('RemoveImage', { image: { image } });
  }
  async imageFsInfo(): Promise<FilesystemUsage[]> {
    return (await this.img<{ imageFilesystems: FilesystemUsage[] }>('ImageFsInfo', {})).imageFilesystems;
  }
}
