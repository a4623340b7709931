// Upstream's PodSecurity plugin configuration (PodSecurityConfiguration,
// pod-security.admission.config.k8s.io/v1), alone or inside an AdmissionConfiguration
// (apiserver.config.k8s.io/v1, plugin "PodSecurity"), as k3s's CIS hardening guide writes it:
// cluster-wide defaults for namespaces without labels, and exempt usernames, runtime classes and
// namespaces. Without one: privileged:latest everywhere, nothing exempt.
import { parse as parseYaml } from 'yaml';
import type { Level, Mode, NamespacePolicy } from './policy.js';

export interface PodSecurityConfig {
  defaults: NamespacePolicy;
  exemptions: { usernames: string[]; runtimeClasses: string[]; namespaces: string[] };
}

export class PodSecurityConfigError extends Error {}

const LEVELS = ['privileged', 'baseline', 'restricted'];

export const DEFAULT_POD_SECURITY: PodSecurityConfig = {
  defaults: { enforce: { level: 'privileged', version: 'latest' }, audit: { level: 'privileged', version: 'latest' }, warn: { level: 'privileged', version: 'latest' } },
  exemptions: { usernames: [], runtimeClasses: [], namespaces: [] },
};

export function parsePodSecurityConfig(text: string): PodSecurityConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new PodSecurityConfigError(`pod security configuration: ${(e as Error).message}`);
  }
  let o = (doc ?? {}) as Record<string, unknown>;
  let at = '';
  if (o.kind === 'AdmissionConfiguration') {
    if (o.apiVersion !== 'apiserver.config.k8s.io/v1') throw new PodSecurityConfigError(`apiVersion: ${o.apiVersion === undefined ? `Required value: must be "apiserver.config.k8s.io/v1"` : `Unsupported value: ${JSON.stringify(o.apiVersion)}: supported values: "apiserver.config.k8s.io/v1"`}`);
    const plugins = Array.isArray(o.plugins) ? (o.plugins as Record<string, unknown>[]) : [];
    const i = plugins.findIndex((p) => p?.name === 'PodSecurity');
    if (i < 0) throw new PodSecurityConfigError('plugins: Required value: no plugin named "PodSecurity"');
    if (plugins[i]!.path !== undefined) throw new PodSecurityConfigError(`plugins[${i}].path: Unsupported value: put the configuration inline under "configuration"`);
    o = (plugins[i]!.configuration ?? {}) as Record<string, unknown>;
    at = `plugins[${i}].configuration.`;
  }
  if (o.kind !== 'PodSecurityConfiguration') throw new PodSecurityConfigError(`${at}kind: ${o.kind === undefined ? `Required value: must be "PodSecurityConfiguration"` : `Unsupported value: ${JSON.stringify(o.kind)}: supported values: "PodSecurityConfiguration"`}`);
  if (o.apiVersion !== 'pod-security.admission.config.k8s.io/v1') throw new PodSecurityConfigError(`${at}apiVersion: ${o.apiVersion === undefined ? `Required value: must be "pod-security.admission.config.k8s.io/v1"` : `Unsupported value: ${JSON.stringify(o.apiVersion)}: supported values: "pod-security.admission.config.k8s.io/v1"`}`);
  const d = (o.defaults ?? {}) as Record<string, unknown>;
  const defaults = structuredClone(DEFAULT_POD_SECURITY.defaults);
  for (const mode of ['enforce', 'audit', 'warn'] as Mode[]) {
    const level = d[mode];
    if (level !== undefined) {
      if (!LEVELS.includes(level as string)) throw new PodSecurityConfigError(`${at}defaults.${mode}: Unsupported value: ${JSON.stringify(level)}: supported values: "privileged", "baseline", "restricted"`);
      defaults[mode].level = level as Level;
    }
    const version = d[`${mode}-version`];
    if (version !== undefined) {
      if (typeof version !== 'string' || !(version === 'latest' || /^v1\.(0|[1-9]\d*)$/.test(version))) throw new PodSecurityConfigError(`${at}defaults.${mode}-version: Invalid value: ${JSON.stringify(version)}: must be "latest" or "v1.<minor>"`);
      defaults[mode].version = version;
    }
  }
  const e = (o.exemptions ?? {}) as Record<string, unknown>;
  const list = (k: string): string[] => {
    const v = e[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x)) throw new PodSecurityConfigError(`${at}exemptions.${k}: Invalid value: must be a list of non-empty strings`);
    return v as string[];
  };
  return { defaults, exemptions: { usernames: list('usernames'), runtimeClasses: list('runtimeClasses'), namespaces: list('namespaces') } };
}
