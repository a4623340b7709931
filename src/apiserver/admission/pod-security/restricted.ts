// The Pod Security Standards' restricted checks (upstream's policy/check_*.go, latest version),
// evaluated after the baseline checks they do not override. Ordered by check ID.
import type { Check } from './baseline.js';
import { allContainers, containersPhrase, pluralize, quoted, setters, sortedSet } from './pod-view.js';
import type { PodSpecView } from './pod-view.js';

const ALLOWED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const isWindows = (spec: PodSpecView) => spec.os?.name === 'windows';

const allowPrivilegeEscalation: Check = (_meta, spec) => {
  if (isWindows(spec)) return undefined;
  const names = allContainers(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name ?? '');
  return names.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${containersPhrase(names)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
};

const capabilitiesRestricted: Check = (_meta, spec) => {
  if (isWindows(spec)) return undefined;
  const missingDrop: string[] = [];
  const adding: string[] = [];
  const added: string[] = [];
  for (const c of allContainers(spec)) {
    const caps = c.securityContext?.capabilities;
    if (!(caps?.drop ?? []).includes('ALL')) missingDrop.push(c.name ?? '');
    const bad = (caps?.add ?? []).filter((a) => a !== 'NET_BIND_SERVICE');
    if (bad.length) {
      adding.push(c.name ?? '');
      added.push(...bad);
    }
  }
  const details: string[] = [];
  if (missingDrop.length) details.push(`${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length) details.push(`${containersPhrase(adding)} must not include ${quoted(sortedSet(added))} in securityContext.capabilities.add`);
  return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
};

const restrictedVolumes: Check = (_meta, spec) => {
  const names: string[] = [];
  const types: string[] = [];
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
    if (!type || !ALLOWED_VOLUME_TYPES.has(type)) {
      names.push(v.name ?? '');
      types.push(type ?? 'unknown');
    }
  }
  if (!names.length) return undefined;
  const t = sortedSet(types);
  return { reason: 'restricted volume types', detail: `${pluralize('volume', 'volumes', names.length)} ${quoted(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('restricted volume type', 'restricted volume types', t.length)} ${quoted(t)}` };
};

// runAsNonRoot, runAsUser and seccompProfile name explicit bad values first; only when there are
// none do they ask for the setting (upstream's order).
const runAsNonRoot: Check = (_meta, spec) => {
  const podValue = spec.securityContext?.runAsNonRoot;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of allContainers(spec)) {
    const v = c.securityContext?.runAsNonRoot;
    if (v === false) explicit.push(c.name ?? '');
    else if (v === undefined && podValue !== true) implicit.push(c.name ?? '');
  }
  if (podValue === false || explicit.length) return { reason: 'runAsNonRoot != true', detail: `${setters(podValue === false, explicit)} must not set securityContext.runAsNonRoot=false` };
  if (implicit.length) return { reason: 'runAsNonRoot != true', detail: `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true` };
  return undefined;
};

const runAsUser: Check = (_meta, spec) => {
  const pod = spec.securityContext?.runAsUser === 0;
  const names = allContainers(spec).filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name ?? '');
  if (!pod && !names.length) return undefined;
  return { reason: 'runAsUser=0', detail: `${setters(pod, names)} must not set runAsUser=0` };
};

const seccompProfileRestricted: Check = (_meta, spec) => {
  if (isWindows(spec)) return undefined;
  const ok = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
  const podProfile = spec.securityContext?.seccompProfile;
  const podBad = !!podProfile && !ok(podProfile.type);
  const podSet = !!podProfile && ok(podProfile.type);
  const values: string[] = podBad ? [podProfile!.type ?? ''] : [];
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of allContainers(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p) {
      if (!ok(p.type)) {
        explicit.push(c.name ?? '');
        values.push(p.type ?? '');
      }
    } else if (!podSet) implicit.push(c.name ?? '');
  }
  if (podBad || explicit.length) return { reason: 'seccompProfile', detail: `${setters(podBad, explicit)} must not set securityContext.seccompProfile.type to ${quoted(sortedSet(values))}` };
  if (implicit.length) return { reason: 'seccompProfile', detail: `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
  return undefined;
};

/** Restricted checks by ID, and the baseline checks each replaces. */
export const RESTRICTED_CHECKS: [string, Check][] = [
  ['allowPrivilegeEscalation', allowPrivilegeEscalation],
  ['capabilities_restricted', capabilitiesRestricted],
  ['restrictedVolumes', restrictedVolumes],
  ['runAsNonRoot', runAsNonRoot],
  ['runAsUser', runAsUser],
  ['seccompProfile_restricted', seccompProfileRestricted],
];

export const OVERRIDDEN_BY_RESTRICTED = new Set(['capabilities_baseline', 'hostPathVolumes', 'seccompProfile_baseline']);
