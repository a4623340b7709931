// Upstream's audit Policy (audit.k8s.io/v1): rules are checked in order and the first that
// matches a request sets its level (None, Metadata, Request, RequestResponse) and the stages to
// omit. Without a policy file kts records every request at Metadata and omits RequestReceived.
import { parse as parseYaml } from 'yaml';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

export interface GroupResources { group?: string; resources?: string[]; resourceNames?: string[] }

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages: AuditStage[];
}

export interface AuditAttributes {
  user: { name: string; groups: string[] };
  verb: string;
  isResourceRequest: boolean;
  path: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

const LEVELS: AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export class AuditPolicyError extends Error {}

export const DEFAULT_POLICY: AuditPolicy = { rules: [{ level: 'Metadata' }], omitStages: ['RequestReceived'] };

/** Parses a Policy document (YAML or JSON); errors name the field. */
export function parsePolicy(text: string): AuditPolicy {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new AuditPolicyError(`audit policy: ${(e as Error).message}`);
  }
  const o = (doc ?? {}) as Record<string, unknown>;
  if (o.kind !== 'Policy') throw new AuditPolicyError(`audit policy: kind: ${o.kind === undefined ? `Required value: must be "Policy"` : `Unsupported value: ${JSON.stringify(o.kind)}: supported values: "Policy"`}`);
  if (o.apiVersion !== 'audit.k8s.io/v1') throw new AuditPolicyError(`audit policy: apiVersion: ${o.apiVersion === undefined ? `Required value: must be "audit.k8s.io/v1"` : `Unsupported value: ${JSON.stringify(o.apiVersion)}: supported values: "audit.k8s.io/v1"`}`);
  if (!Array.isArray(o.rules) || o.rules.length === 0) throw new AuditPolicyError('audit policy: rules: Required value: at least one rule is required');
  const stages = (v: unknown, f: string): AuditStage[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new AuditPolicyError(`audit policy: ${f}: must be a list`);
    v.forEach((s, i) => {
      if (!STAGES.includes(s as AuditStage)) throw new AuditPolicyError(`audit policy: ${f}[${i}]: Unsupported value: ${JSON.stringify(s)}: supported values: ${STAGES.map((x) => `"${x}"`).join(', ')}`);
    });
    return v as AuditStage[];
  };
  const strings = (v: unknown, f: string): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new AuditPolicyError(`audit policy: ${f}: must be a list of strings`);
    return v as string[];
  };
  const rules = o.rules.map((r: Record<string, unknown>, i: number): PolicyRule => {
    const f = `rules[${i}]`;
    if (!LEVELS.includes(r?.level as AuditLevel)) throw new AuditPolicyError(`audit policy: ${f}.level: Unsupported value: ${JSON.stringify(r?.level)}: supported values: ${LEVELS.map((x) => `"${x}"`).join(', ')}`);
    const resources = r.resources === undefined ? undefined : (r.resources as unknown[]);
    if (resources !== undefined && !Array.isArray(resources)) throw new AuditPolicyError(`audit policy: ${f}.resources: must be a list`);
    const nonResourceURLs = strings(r.nonResourceURLs, `${f}.nonResourceURLs`);
    if (nonResourceURLs && (resources || r.namespaces)) throw new AuditPolicyError(`audit policy: ${f}.nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs`);
    return {
      level: r.level as AuditLevel,
      users: strings(r.users, `${f}.users`),
      userGroups: strings(r.userGroups, `${f}.userGroups`),
      verbs: strings(r.verbs, `${f}.verbs`),
      namespaces: strings(r.namespaces, `${f}.namespaces`),
      nonResourceURLs,
      resources: resources?.map((g, j) => {
        const gr = (g ?? {}) as Record<string, unknown>;
        return { group: (gr.group as string | undefined) ?? '', resources: strings(gr.resources, `${f}.resources[${j}].resources`), resourceNames: strings(gr.resourceNames, `${f}.resources[${j}].resourceNames`) };
      }),
      omitStages: stages(r.omitStages, `${f}.omitStages`),
    };
  });
  return { rules, omitStages: stages(o.omitStages, 'omitStages') };
}

/** The level and omitted stages for a request: the first matching rule, else None. */
export function evaluatePolicy(p: AuditPolicy, a: AuditAttributes): { level: AuditLevel; omitStages: AuditStage[] } {
  for (const r of p.rules) {
    if (ruleMatches(r, a)) return { level: r.level, omitStages: [...p.omitStages, ...(r.omitStages ?? [])] };
  }
  return { level: 'None', omitStages: p.omitStages };
}

function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users && !r.users.includes(a.user.name)) return false;
  if (r.userGroups && !r.userGroups.some((g) => a.user.groups.includes(g))) return false;
  if (r.verbs && !r.verbs.includes(a.verb)) return false;
  if (a.isResourceRequest) {
    if (r.nonResourceURLs) return false;
    if (r.namespaces && !r.namespaces.includes(a.namespace)) return false;
    if (r.resources && !r.resources.some((g) => groupResourceMatches(g, a))) return false;
    return true;
  }
  if (r.resources || r.namespaces) return false;
  if (r.nonResourceURLs && !r.nonResourceURLs.some((u) => (u.endsWith('*') ? a.path.startsWith(u.slice(0, -1)) : a.path === u))) return false;
  return true;
}

function groupResourceMatches(g: GroupResources, a: AuditAttributes): boolean {
  if ((g.group ?? '') !== a.group && g.group !== '*') return false;
  if (g.resourceNames && g.resourceNames.length && !g.resourceNames.includes(a.name)) return false;
  if (!g.resources || g.resources.length === 0) return true;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return g.resources.some((r) => r === '*' || r === full || (r === `${a.resource}/*` && !!a.subresource) || (r === `*/${a.subresource}` && !!a.subresource));
}

export function levelAtLeast(l: AuditLevel, min: AuditLevel): boolean {
  return LEVELS.indexOf(l) >= LEVELS.indexOf(min);
}
