// The simulated agent's configuration: raw `kts agent` flags → a validated SimulatedAgentConfig.
// Validation happens here once, so the agent itself can trust every field.
import { parseQuantity } from '../api/validation/quantity.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../api/validation/names.js';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface SimulatedAgentConfig {
  server: string;
  token: string;
  caCertFile?: string;
  nodes: number;
  namePrefix: string;
  cpu: string;
  memory: string;
  pods: string;
  ephemeralStorage: string;
  labels: Record<string, string>;
  taints: Taint[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export interface RawAgentFlags {
  simulated?: boolean;
  nodes?: string;
  'node-name'?: string;
  server?: string;
  token?: string;
  'token-file'?: string;
  'ca-cert'?: string;
  'ca-cert-hash'?: string;
  'data-dir'?: string;
  'node-cpu'?: string;
  'node-memory'?: string;
  'node-pods'?: string;
  'node-label'?: string[];
  'node-taint'?: string[];
  'log-level'?: string;
}

export class AgentConfigError extends Error {}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function buildAgentConfig(f: RawAgentFlags, tokenFromFile?: string): SimulatedAgentConfig {
  if (!f.simulated) throw new AgentConfigError('only simulated nodes are available in this kts version: pass --simulated');
  const server = f.server ?? '';
  if (!/^https:\/\/[^/]+/.test(server)) throw new AgentConfigError(`--server must be an https:// URL of the kts server (got "${server}")`);
  const token = (f.token ?? tokenFromFile ?? '').trim();
  // With --data-dir a node may have joined before and kept its certificate; the command checks that.
  if (!token && !f['data-dir']) throw new AgentConfigError('--token (or --token-file) is required: a bootstrap token (kts token create) or <data-dir>/server/node-token on the server');
  const nodes = Number(f.nodes ?? '1');
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 100_000) throw new AgentConfigError(`--nodes must be an integer from 1 to 100000 (got "${f.nodes}")`);
  const namePrefix = f['node-name'] ?? 'kts-sim';
  const longest = `${namePrefix}-${nodes - 1}`;
  const nameErrs = isDNS1123Subdomain(longest);
  if (nameErrs.length) throw new AgentConfigError(`--node-name "${namePrefix}" gives invalid node names (${longest}): ${nameErrs.join('; ')}`);
  const quantity = (flag: string, v: string | undefined, dflt: string): string => {
    const q = v ?? dflt;
    if (parseQuantity(q) === undefined) throw new AgentConfigError(`--${flag}: "${q}" is not a quantity (e.g. 32, 500m, 256Gi)`);
    return q;
  };
  const labels: Record<string, string> = {};
  for (const l of f['node-label'] ?? []) {
    const eq = l.indexOf('=');
    const [k, v] = eq < 0 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
    const errs = [...isQualifiedName(k), ...isValidLabelValue(v)];
    if (errs.length) throw new AgentConfigError(`--node-label "${l}": ${errs.join('; ')}`);
    labels[k] = v;
  }
  const taints = (f['node-taint'] ?? []).map(parseTaint);
  const level = f['log-level'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new AgentConfigError(`--log-level must be debug, info, warn or error (got "${level}")`);
  return {
    server: server.replace(/\/+$/, ''),
    token,
    caCertFile: f['ca-cert'],
    nodes,
    namePrefix,
    cpu: quantity('node-cpu', f['node-cpu'], '32'),
    memory: quantity('node-memory', f['node-memory'], '256Gi'),
    pods: quantity('node-pods', f['node-pods'], '110'),
    ephemeralStorage: '100Gi',
    labels,
    taints,
    logLevel: level as SimulatedAgentConfig['logLevel'],
  };
}

/** `key=value:Effect` or `key:Effect`, as kubelet's --register-with-taints. */
export function parseTaint(s: string): Taint {
  const colon = s.lastIndexOf(':');
  if (colon < 0) throw new AgentConfigError(`--node-taint "${s}": expected key=value:Effect`);
  const effect = s.slice(colon + 1);
  const kv = s.slice(0, colon);
  if (!EFFECTS.includes(effect)) throw new AgentConfigError(`--node-taint "${s}": effect must be one of ${EFFECTS.join(', ')}`);
  const eq = kv.indexOf('=');
  const [key, value] = eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
  const errs = [...isQualifiedName(key), ...isValidLabelValue(value)];
  if (errs.length) throw new AgentConfigError(`--node-taint "${s}": ${errs.join('; ')}`);
  return value ? { key, value, effect: effect as Taint['effect'] } : { key, effect: effect as Taint['effect'] };
}
