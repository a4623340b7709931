// The kubelet's SpecBuilder: turns a pod and one of its containers into CRI configs, using the
// spec/ builders, the volume manager's mounts, the API for env sources and Services, and files
// under the pod's directory (managed /etc/hosts, termination message files).
import { join } from 'node:path';
import { hostname, totalmem } from 'node:os';
import { openSync, readSync, fstatSync, closeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { RestClient } from '../client/rest-client.js';
import { resourcePath } from '../client/rest-client.js';
import type { EventRecorder } from '../client/events.js';
import type { CriClient } from './cri/client.js';
import type { ContainerConfig, KeyValue, PodSandboxConfig } from './cri/types.js';
import type { KubeletConfig } from './config.js';
import { ContainerStartError } from './pod-deps.js';
import type { PodContainer, SpecBuilder } from './pod-deps.js';
import type { ContainerInfo } from './runtime-cache.js';
import { sandboxConfig, podLogDir } from './spec/sandbox-config.js';
import { containerConfig, containerHash, createTerminationMessageFile, podCgroupParent } from './spec/container-config.js';
import { resolveEnv } from './spec/env.js';
import { writeHostsFile } from './spec/hosts.js';
import type { Container, Pod } from './spec/types.js';
import type { Mount } from './volumes/types.js';
import { serviceEnv } from './service-env.js';

export interface SpecBuilderDeps {
  cfg: KubeletConfig;
  client: RestClient;
  cri: CriClient;
  events: EventRecorder;
  mounts(pod: KObject, container: PodContainer, resolveEnv: (name: string) => string | undefined): Mount[];
  allocatable(): Record<string, string>;
}

const MAX_MESSAGE_BYTES = 4096;
const FALLBACK_LOG_LINES = 80;
const FALLBACK_LOG_BYTES = 2048;

export class KubeletSpecBuilder implements SpecBuilder {
  /** Host path of each container instance's termination message file, by `<uid>/<name>/<attempt>`. */
  private readonly messageFiles = new Map<string, string>();

  constructor(private readonly d: SpecBuilderDeps) {}

  private podDir(pod: KObject): string {
    return join(this.d.cfg.rootDir, 'pods', pod.metadata.uid!);
  }

  sandboxConfig(pod: KObject, attempt: number): PodSandboxConfig {
    return sandboxConfig(pod as Pod, {
      attempt,
      logDir: podLogDir(this.d.cfg.podLogsDir, pod as Pod),
      podCgroupParent: podCgroupParent(pod as Pod),
      clusterDns: this.d.cfg.clusterDns,
      clusterDomain: this.d.cfg.clusterDomain,
      hostResolvConf: this.d.cfg.resolvConf,
      nodeHostname: hostname(),
      onEvent: (e) => this.d.events.event(pod, e.type, e.reason, e.message),
    });
  }

  private async getOptional<T extends KObject>(path: string): Promise<T | undefined> {
    try {
      return await this.d.client.get<T>(path);
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    }
  }

  private async services(pod: KObject): Promise<KeyValue[]> {
    if ((pod.spec as { enableServiceLinks?: boolean }).enableServiceLinks === false) {
      const master = await this.getOptional(resourcePath('', 'v1', 'services', 'default', 'kubernetes'));
      return serviceEnv(master ? [master] : []);
    }
    const ns = pod.metadata.namespace!;
    const [own, defaults] = await Promise.all([
      this.d.client.list(resourcePath('', 'v1', 'services', ns)),
      ns === 'default' ? Promise.resolve(undefined) : this.getOptional(resourcePath('', 'v1', 'services', 'default', 'kubernetes')),
    ]);
    return serviceEnv([...own.items, ...(defaults ? [defaults] : [])]);
  }

  async containerConfig(pod: KObject, ctr: PodContainer, o: { attempt: number; imageRef: string; podIPs: string[]; sandboxConfig: PodSandboxConfig }): Promise<ContainerConfig> {
    const uid = pod.metadata.uid!;
    let env: KeyValue[];
    try {
      env = await resolveEnv(pod as Pod, ctr as unknown as Container, {
        configMap: (n, name) => this.getOptional(resourcePath('', 'v1', 'configmaps', n, name)),
        secret: (n, name) => this.getOptional(resourcePath('', 'v1', 'secrets', n, name)),
        podIP: o.podIPs[0],
        podIPs: o.podIPs,
        hostIP: this.d.cfg.nodeIp,
        hostIPs: [this.d.cfg.nodeIp],
        nodeName: this.d.cfg.nodeName,
        serviceEnv: await this.services(pod),
        nodeAllocatable: this.d.allocatable(),
        onEvent: (e) => this.d.events.event(pod, e.type, e.reason, e.message),
      });
    } catch (e) {
      throw new ContainerStartError('CreateContainerConfigError', (e as Error).message);
    }
    const vars = new Map(env.map((kv) => [kv.key, kv.value]));
    let mounts: Mount[];
    try {
      mounts = this.d.mounts(pod, ctr, (name) => vars.get(name));
    } catch (e) {
      throw new ContainerStartError('CreateContainerConfigError', (e as Error).message);
    }
    const podDir = this.podDir(pod);
    await mkdir(podDir, { recursive: true, mode: 0o750 });
    const hostsPath = await writeHostsFile(podDir, pod as Pod, o.podIPs, this.d.cfg.clusterDomain);
    const messageFile = ctr.terminationMessagePath ? await createTerminationMessageFile(podDir, ctr.name) : undefined;
    if (messageFile) this.messageFiles.set(`${uid}/${ctr.name}/${o.attempt}`, messageFile);
    const image = await this.d.cri.imageStatus(o.imageRef).catch(() => null);
    try {
      return containerConfig(pod as Pod, ctr as unknown as Container, {
        attempt: o.attempt,
        env,
        mounts,
        restartCount: o.attempt,
        nodeMemoryBytes: totalmem(),
        imageRef: o.imageRef,
        image,
        hostsPath,
        terminationMessageHostPath: messageFile,
        podIP: o.podIPs[0],
      });
    } catch (e) {
      throw new ContainerStartError('CreateContainerConfigError', (e as Error).message);
    }
  }

  terminationMessage(pod: KObject, ctr: PodContainer, info: ContainerInfo): string | undefined {
    if (info.state !== 'CONTAINER_EXITED') return undefined;
    const key = `${pod.metadata.uid}/${info.name}/${info.attempt}`;
    let text = this.messageCache.get(key);
    if (text === undefined) {
      // Small local files, read once per container instance.
      const file = this.messageFiles.get(key);
      text = file ? readTail(file, MAX_MESSAGE_BYTES, true) : '';
      if (!text && ctr.terminationMessagePolicy === 'FallbackToLogsOnError' && info.exitCode !== 0 && info.logPath) text = logTail(info.logPath);
      this.messageCache.set(key, text);
      if (this.messageCache.size > 4096) this.messageCache.delete(this.messageCache.keys().next().value!);
    }
    return text || undefined;
  }

  private readonly messageCache = new Map<string, string>();

  hash(ctr: PodContainer): string {
    return containerHash(ctr);
  }
}

/** The first (head) or last `max` bytes of a file; '' when it cannot be read. */
function readTail(path: string, max: number, head = false): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(max, size);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, head ? 0 : size - len);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The last lines of a CRI log file, without the CRI prefixes. */
function logTail(path: string): string {
  const lines = readTail(path, 64 * 1024).split('\n').filter(Boolean).slice(-FALLBACK_LOG_LINES).map((l) => {
    const m = /^\S+ (?:stdout|stderr) [PF] (.*)$/.exec(l);
    return m ? m[1] : l;
  });
  const out = lines.join('\n');
  return out.length > FALLBACK_LOG_BYTES ? out.slice(out.length - FALLBACK_LOG_BYTES) : out;
}
