// Pod Security levels from namespace labels (pod-security.kubernetes.io/<mode>[-version]) and the
// evaluation of a pod spec against a level: the checks that fail, phrased as upstream's message
// `violates PodSecurity "restricted:latest": reason (detail), ...`.
import { BASELINE_CHECKS } from './baseline.js';
import { OVERRIDDEN_BY_RESTRICTED, RESTRICTED_CHECKS } from './restricted.js';
import type { PodMetaView, PodSpecView, Violation } from './pod-view.js';

export type Level = 'privileged' | 'baseline' | 'restricted';
export type Mode = 'enforce' | 'audit' | 'warn';
export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
const LEVELS: Level[] = ['privileged', 'baseline', 'restricted'];

export interface LevelVersion {
  level: Level;
  version: string;
}

export type NamespacePolicy = Record<Mode, LevelVersion>;

export interface LabelError {
  label: string;
  value: string;
  message: string;
}

/**
 * The policy a namespace's labels select. Missing labels: privileged:latest (upstream's
 * defaults). An invalid label is reported; for enforce it falls back to restricted:latest, as
 * upstream does, so a typo never opens a namespace up.
 */
export function namespacePolicy(labels: Record<string, string> | undefined): { policy: NamespacePolicy; errors: LabelError[] } {
  const errors: LabelError[] = [];
  const policy = {} as NamespacePolicy;
  for (const mode of ['enforce', 'audit', 'warn'] as Mode[]) {
    const lk = `${LABEL_PREFIX}${mode}`;
    const vk = `${lk}-version`;
    let level: Level = 'privileged';
    let version = 'latest';
    const lv = labels?.[lk];
    if (lv !== undefined) {
      if (LEVELS.includes(lv as Level)) level = lv as Level;
      else {
        errors.push({ label: lk, value: lv, message: `must be one of ${LEVELS.join(', ')}` });
        level = mode === 'enforce' ? 'restricted' : 'privileged';
      }
    }
    const vv = labels?.[vk];
    if (vv !== undefined) {
      if (vv === 'latest' || /^v1\.(0|[1-9]\d*)$/.test(vv)) version = vv;
      else {
        errors.push({ label: vk, value: vv, message: 'must be "latest" or "v1.<minor>"' });
        if (mode === 'enforce') level = 'restricted';
      }
    }
    policy[mode] = { level, version };
  }
  return { policy, errors };
}

export function levelString(lv: LevelVersion): string {
  return `${lv.level}:${lv.version}`;
}

/** The failed checks of `spec` at `level` (baseline checks first, then restricted), in upstream's order. */
export function evaluate(level: Level, meta: PodMetaView, spec: PodSpecView): Violation[] {
  if (level === 'privileged') return [];
  const out: Violation[] = [];
  for (const [id, check] of BASELINE_CHECKS) {
    if (level === 'restricted' && OVERRIDDEN_BY_RESTRICTED.has(id)) continue;
    const v = check(meta, spec);
    if (v) out.push(v);
  }
  if (level === 'restricted') {
    for (const [, check] of RESTRICTED_CHECKS) {
      const v = check(meta, spec);
      if (v) out.push(v);
    }
  }
  return out;
}

/** `reason1 (detail1), reason2 (detail2)`. */
export function describe(violations: Violation[]): string {
  return violations.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(', ');
}
