// A typed, read-only view of the pod fields the Pod Security Standards look at, and the helpers
// that phrase their findings the way upstream's pod-security-admission does.

export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  procMount?: string;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seLinuxOptions?: { type?: string; user?: string; role?: string; level?: string };
  seccompProfile?: { type?: string };
  appArmorProfile?: { type?: string };
  windowsOptions?: { hostProcess?: boolean };
  sysctls?: { name?: string; value?: string }[];
}

export interface Container {
  name?: string;
  securityContext?: SecurityContext;
  ports?: { hostPort?: number }[];
}

export interface PodSpecView {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  volumes?: (Record<string, unknown> & { name?: string })[];
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  os?: { name?: string };
}

export interface PodMetaView {
  annotations?: Record<string, string>;
}

/** One failed check: upstream's forbiddenReason and forbiddenDetail. */
export interface Violation {
  reason: string;
  detail?: string;
}

/** Init containers, then containers, then ephemeral containers (upstream's visiting order). */
export function allContainers(spec: PodSpecView): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

export function quoted(items: string[]): string {
  return items.map((s) => `"${s}"`).join(', ');
}

export function pluralize(singular: string, plural: string, n: number): string {
  return n === 1 ? singular : plural;
}

/** `container "a"` or `containers "a", "b"`. */
export function containersPhrase(names: string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${quoted(names)}`;
}

/** Distinct values in sorted order (upstream collects them in sets and lists them sorted). */
export function sortedSet(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}

/** `pod and containers "a", "b"`: who set a forbidden value. */
export function setters(pod: boolean, containers: string[], more: string[] = []): string {
  return [...(pod ? ['pod'] : []), ...(containers.length ? [containersPhrase(containers)] : []), ...more].join(' and ');
}
