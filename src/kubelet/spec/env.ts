// A container's environment as upstream's kubelet builds it (makeEnvironmentVariables): envFrom
// sources first, then env entries (later ones override, `$(VAR)` expanded over what came before
// and the service variables), then the service variables nobody set. Missing required sources fail
// with upstream's messages; the kubelet reports them as CreateContainerConfigError.
import type { KeyValue } from '../cri/types.js';
import { expand, mappingFor } from './expansion.js';
import { containerResourceValue, podFieldValue } from './field-ref.js';
import { ContainerConfigError } from './security-context.js';
import type { ConfigMap, Container, Pod, Secret } from './types.js';

export interface EnvSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
  hostIPs?: string[];
  nodeName: string;
  /** `<SVC>_SERVICE_HOST`, … for the pod's namespace (when enableServiceLinks), computed by the caller. */
  serviceEnv?: KeyValue[];
  /** Node allocatable, for resourceFieldRef limits a container does not set. */
  nodeAllocatable?: Record<string, string | number>;
  /** Warning events (invalid envFrom keys), as upstream records them on the pod. */
  onEvent?: (e: { type: 'Warning'; reason: string; message: string }) => void;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function isEnvVarName(name: string): boolean {
  return ENV_NAME.test(name);
}

export async function resolveEnv(pod: Pod, container: Container, sources: EnvSources): Promise<KeyValue[]> {
  const ns = pod.metadata.namespace ?? '';
  const configMaps = new Map<string, ConfigMap>();
  const secrets = new Map<string, Secret>();
  const getConfigMap = async (name: string, optional: boolean): Promise<ConfigMap | undefined> => {
    if (!configMaps.has(name)) {
      const cm = await sources.configMap(ns, name);
      if (!cm) {
        if (optional) return undefined;
        throw new ContainerConfigError(`configmap ${JSON.stringify(name)} not found`);
      }
      configMaps.set(name, cm);
    }
    return configMaps.get(name);
  };
  const getSecret = async (name: string, optional: boolean): Promise<Secret | undefined> => {
    if (!secrets.has(name)) {
      const s = await sources.secret(ns, name);
      if (!s) {
        if (optional) return undefined;
        throw new ContainerConfigError(`secret ${JSON.stringify(name)} not found`);
      }
      secrets.set(name, s);
    }
    return secrets.get(name);
  };

  // Insertion order is declaration order; a later definition replaces the value in place.
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string>;
    let what: string;
    if (from.configMapRef) {
      what = `configMap ${ns}/${from.configMapRef.name}`;
      const cm = await getConfigMap(from.configMapRef.name, from.configMapRef.optional === true);
      if (!cm) continue;
      data = cm.data ?? {};
    } else if (from.secretRef) {
      what = `secret ${ns}/${from.secretRef.name}`;
      const s = await getSecret(from.secretRef.name, from.secretRef.optional === true);
      if (!s) continue;
      data = secretData(s);
    } else {
      continue;
    }
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data)) {
      const key = prefix + k;
      if (!isEnvVarName(key)) invalid.push(key);
      else env.set(key, v);
    }
    if (invalid.length) {
      sources.onEvent?.({
        type: 'Warning',
        reason: 'InvalidEnvironmentVariableNames',
        message: `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are considered invalid environment variable names.`,
      });
    }
  }

  const serviceEnv = new Map((sources.serviceEnv ?? []).map((e) => [e.key, e.value]));
  const mapping = mappingFor(env, serviceEnv);
  for (const v of container.env ?? []) {
    let value = v.value ?? '';
    if (value !== '') {
      value = expand(value, mapping);
    } else if (v.valueFrom) {
      const from = v.valueFrom;
      if (from.fieldRef) {
        value = asConfigError(() => podFieldValue(pod, from.fieldRef!.fieldPath, sources));
      } else if (from.resourceFieldRef) {
        value = asConfigError(() => containerResourceValue(from.resourceFieldRef!, pod, container, sources.nodeAllocatable ?? {}));
      } else if (from.configMapKeyRef) {
        const { name, key, optional } = from.configMapKeyRef;
        const cm = await getConfigMap(name, optional === true);
        if (!cm) continue;
        const got = cm.data?.[key];
        if (got === undefined) {
          if (optional) continue;
          throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
        }
        value = got;
      } else if (from.secretKeyRef) {
        const { name, key, optional } = from.secretKeyRef;
        const s = await getSecret(name, optional === true);
        if (!s) continue;
        const got = secretData(s)[key];
        if (got === undefined) {
          if (optional) continue;
          throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
        }
        value = got;
      }
    }
    env.set(v.name, value);
  }

  const out: KeyValue[] = [...env].map(([key, value]) => ({ key, value }));
  for (const [key, value] of serviceEnv) if (!env.has(key)) out.push({ key, value });
  return out;
}

function asConfigError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw e instanceof ContainerConfigError ? e : new ContainerConfigError((e as Error).message);
  }
}

/** Secret values decoded from base64 (stringData, when present unmerged, overrides). */
function secretData(s: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
  return out;
}
