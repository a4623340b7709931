// What the kubelet's HTTPS server needs from the kubelet core (pod sync over CRI): where a
// container's logs are, and the runtime's one-shot streaming URLs for exec, attach and port-forward.
import type { KObject } from '../../api/types.js';

export interface StreamOptions {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface ContainerRef {
  containerId: string;
  /** The current CRI log file (e.g. `/var/log/pods/<ns>_<pod>_<uid>/<name>/<attempt>.log`). */
  logPath: string;
  /** The log of the previous instance (restartCount > 0), for `--previous`. */
  previousLogPath?: string;
  running: boolean;
}

export interface StreamingBackend {
  /**
   * Resolves a pod's container. Throws StatusError with upstream kubelet messages: NotFound
   * (`pod "ns/p" not found`, `container "c" not found in pod "ns/p"`) or BadRequest
   * (`container "c" in pod "p" is waiting to start: ContainerCreating`).
   */
  container(namespace: string, pod: string, container: string): Promise<ContainerRef>;
  /** Whether the container (by id) still runs: a log follower stops once it does not. */
  isRunning(containerId: string): Promise<boolean>;
  /** The pod's sandbox; throws StatusError NotFound when the pod has none. */
  sandbox(namespace: string, pod: string): Promise<{ sandboxId: string }>;
  /** CRI Exec: returns the runtime's streaming URL. */
  exec(containerId: string, cmd: string[], o: StreamOptions): Promise<string>;
  /** CRI Attach: returns the runtime's streaming URL. */
  attach(containerId: string, o: StreamOptions): Promise<string>;
  /** CRI PortForward: returns the runtime's streaming URL. */
  portForward(sandboxId: string, ports: number[]): Promise<string>;
  /** The pods this kubelet runs (GET /pods). */
  pods(): Promise<KObject[]>;
}
