// The kubelet core's side of the streaming endpoints: finds a pod's containers in the runtime
// cache (current and previous instance, their log files) and asks CRI for streaming URLs.
import { join } from 'node:path';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Informer } from '../client/informer.js';
import type { CriClient } from './cri/client.js';
import type { RuntimeCache } from './runtime-cache.js';
import type { ContainerRef, StreamingBackend, StreamOptions } from './http/backend.js';
import type { Waiting } from './pod-status.js';

export class CriStreamingBackend implements StreamingBackend {
  constructor(
    private readonly cri: CriClient,
    private readonly cache: RuntimeCache,
    private readonly podsInformer: Informer,
    private readonly waitingOf: (uid: string) => Map<string, Waiting>,
    private readonly podLogsDir: string,
  ) {}

  private pod(namespace: string, name: string): KObject {
    const pod = this.podsInformer.get(namespace, name);
    if (!pod) throw new StatusError(404, 'NotFound', `pod "${namespace}/${name}" not found`);
    return pod;
  }

  private logPath(pod: KObject, logPath: string): string {
    if (logPath.startsWith('/')) return logPath;
    return join(this.podLogsDir, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`, logPath);
  }

  async container(namespace: string, podName: string, container: string): Promise<ContainerRef> {
    const pod = this.pod(namespace, podName);
    const uid = pod.metadata.uid!;
    const spec = (pod.spec ?? {}) as { containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] };
    const known = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].some((c) => c.name === container);
    if (!known) throw new StatusError(404, 'NotFound', `container "${container}" not found in pod "${namespace}/${podName}"`);
    const mine = (this.cache.pod(uid)?.containers ?? []).filter((c) => c.name === container).sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
    const [cur, prev] = mine;
    if (!cur) {
      const reason = this.waitingOf(uid).get(container)?.reason ?? 'ContainerCreating';
      throw new StatusError(400, 'BadRequest', `container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
    }
    return {
      containerId: cur.id,
      logPath: this.logPath(pod, cur.logPath),
      previousLogPath: prev ? this.logPath(pod, prev.logPath) : undefined,
      running: cur.state === 'CONTAINER_RUNNING',
    };
  }

  async isRunning(containerId: string): Promise<boolean> {
    try {
      return (await this.cri.containerStatus(containerId)).status.state === 'CONTAINER_RUNNING';
    } catch {
      return false;
    }
  }

  async sandbox(namespace: string, podName: string): Promise<{ sandboxId: string }> {
    const pod = this.pod(namespace, podName);
    const s = this.cache.pod(pod.metadata.uid!)?.sandboxes.find((x) => x.state === 'SANDBOX_READY');
    if (!s) throw new StatusError(404, 'NotFound', `pod "${namespace}/${podName}" has no running sandbox`);
    return { sandboxId: s.id };
  }

  exec(containerId: string, cmd: string[], o: StreamOptions): Promise<string> {
    return this.cri.exec(containerId, cmd, o);
  }
  attach(containerId: string, o: StreamOptions): Promise<string> {
    return this.cri.attach(containerId, o);
  }
  portForward(sandboxId: string, ports: number[]): Promise<string> {
    return this.cri.portForward(sandboxId, ports);
  }
  async pods(): Promise<KObject[]> {
    return this.podsInformer.list();
  }
}
