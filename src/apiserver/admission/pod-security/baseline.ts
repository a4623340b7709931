// The Pod Security Standards' baseline checks (upstream's policy/check_*.go, latest version),
// each returning what it found or undefined. Ordered by check ID, as upstream evaluates them.
import type { PodMetaView, PodSpecView, Violation } from './pod-view.js';
import { allContainers, containersPhrase, pluralize, quoted, setters, sortedSet } from './pod-view.js';

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

export type Check = (meta: PodMetaView, spec: PodSpecView) => Violation | undefined;

const appArmorProfile: Check = (meta, spec) => {
  const ok = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
  const values: string[] = [];
  const podType = spec.securityContext?.appArmorProfile ? spec.securityContext.appArmorProfile.type : undefined;
  const pod = !!spec.securityContext?.appArmorProfile && !ok(podType);
  if (pod) values.push(podType ?? '');
  const names: string[] = [];
  for (const c of allContainers(spec)) {
    const p = c.securityContext?.appArmorProfile;
    if (p && !ok(p.type)) {
      names.push(c.name ?? '');
      values.push(p.type ?? '');
    }
  }
  const annotations: string[] = [];
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== '' && v !== 'runtime/default' && !v.startsWith('localhost/')) annotations.push(`${k}=${JSON.stringify(v)}`);
  }
  if (!pod && !names.length && !annotations.length) return undefined;
  const all = [...sortedSet(values), ...annotations.sort()];
  const who = setters(pod, names, annotations.length ? [pluralize('annotation', 'annotations', annotations.length)] : []);
  return { reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', all.length), detail: `${who} must not set AppArmor profile type to ${quoted(all)}` };
};

const capabilitiesBaseline: Check = (_meta, spec) => {
  const names: string[] = [];
  const caps: string[] = [];
  for (const c of allContainers(spec)) {
    const bad = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
    if (bad.length) {
      names.push(c.name ?? '');
      caps.push(...bad);
    }
  }
  if (!names.length) return undefined;
  return { reason: 'non-default capabilities', detail: `${containersPhrase(names)} must not include ${quoted(sortedSet(caps))} in securityContext.capabilities.add` };
};

const hostNamespaces: Check = (_meta, spec) => {
  const set = [spec.hostNetwork && 'hostNetwork=true', spec.hostPID && 'hostPID=true', spec.hostIPC && 'hostIPC=true'].filter(Boolean) as string[];
  return set.length ? { reason: 'host namespaces', detail: set.join(', ') } : undefined;
};

const hostPathVolumes: Check = (_meta, spec) => {
  const names = (spec.volumes ?? []).filter((v) => v.hostPath !== undefined && v.hostPath !== null).map((v) => v.name ?? '');
  return names.length ? { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', names.length)} ${quoted(names)}` } : undefined;
};

const hostPorts: Check = (_meta, spec) => {
  const names: string[] = [];
  const ports: string[] = [];
  for (const c of allContainers(spec)) {
    const used = (c.ports ?? []).map((p) => p.hostPort ?? 0).filter((p) => p !== 0);
    if (used.length) {
      names.push(c.name ?? '');
      ports.push(...used.map(String));
    }
  }
  if (!names.length) return undefined;
  const p = sortedSet(ports);
  return { reason: 'hostPort', detail: `${containersPhrase(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('hostPort', 'hostPorts', p.length)} ${p.join(', ')}` };
};

const privileged: Check = (_meta, spec) => {
  const names = allContainers(spec).filter((c) => c.securityContext?.privileged === true).map((c) => c.name ?? '');
  return names.length ? { reason: 'privileged', detail: `${containersPhrase(names)} must not set securityContext.privileged=true` } : undefined;
};

const procMount: Check = (_meta, spec) => {
  const names: string[] = [];
  const values: string[] = [];
  for (const c of allContainers(spec)) {
    const m = c.securityContext?.procMount;
    if (m !== undefined && m !== 'Default') {
      names.push(c.name ?? '');
      values.push(m);
    }
  }
  if (!names.length) return undefined;
  return { reason: 'procMount', detail: `${containersPhrase(names)} must not set securityContext.procMount to ${quoted(sortedSet(values))}` };
};

const seLinuxOptions: Check = (_meta, spec) => {
  const types: string[] = [];
  let user = false;
  let role = false;
  const visit = (o: { type?: string; user?: string; role?: string } | undefined): boolean => {
    if (!o) return false;
    const badType = !SELINUX_TYPES.has(o.type ?? '');
    if (badType) types.push(o.type!);
    if (o.user) user = true;
    if (o.role) role = true;
    return badType || !!o.user || !!o.role;
  };
  const pod = visit(spec.securityContext?.seLinuxOptions);
  const names = allContainers(spec).filter((c) => visit(c.securityContext?.seLinuxOptions)).map((c) => c.name ?? '');
  if (!pod && !names.length) return undefined;
  const t = sortedSet(types);
  const what = [...(t.length ? [`${pluralize('type', 'types', t.length)} ${quoted(t)}`] : []), ...(user ? ['user may not be set'] : []), ...(role ? ['role may not be set'] : [])];
  return { reason: 'seLinuxOptions', detail: `${setters(pod, names)} set forbidden securityContext.seLinuxOptions: ${what.join('; ')}` };
};

const seccompProfileBaseline: Check = (_meta, spec) => {
  const pod = spec.securityContext?.seccompProfile?.type === 'Unconfined';
  const names = allContainers(spec).filter((c) => c.securityContext?.seccompProfile?.type === 'Unconfined').map((c) => c.name ?? '');
  if (!pod && !names.length) return undefined;
  return { reason: 'seccompProfile', detail: `${setters(pod, names)} must not set securityContext.seccompProfile.type to "Unconfined"` };
};

const sysctls: Check = (_meta, spec) => {
  const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name ?? '').filter((n) => !SAFE_SYSCTLS.has(n));
  return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
};

const windowsHostProcess: Check = (_meta, spec) => {
  const pod = spec.securityContext?.windowsOptions?.hostProcess === true;
  const names = allContainers(spec).filter((c) => c.securityContext?.windowsOptions?.hostProcess === true).map((c) => c.name ?? '');
  if (!pod && !names.length) return undefined;
  return { reason: 'hostProcess', detail: `${setters(pod, names)} must not set securityContext.windowsOptions.hostProcess=true` };
};

/** Baseline checks by ID (upstream's IDs; the restricted level overrides some of them). */
export const BASELINE_CHECKS: [string, Check][] = [
  ['appArmorProfile', appArmorProfile],
  ['capabilities_baseline', capabilitiesBaseline],
  ['hostNamespaces', hostNamespaces],
  ['hostPathVolumes', hostPathVolumes],
  ['hostPorts', hostPorts],
  ['privileged', privileged],
  ['procMount', procMount],
  ['seLinuxOptions', seLinuxOptions],
  ['seccompProfile_baseline', seccompProfileBaseline],
  ['sysctls', sysctls],
  ['windowsHostProcess', windowsHostProcess],
];
