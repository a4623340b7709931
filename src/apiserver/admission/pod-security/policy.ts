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

const PRIVILEGED: NamespacePolicy = { enforce: { level: 'privileged', version: 'latest' }, audit: { level: 'privileged', version: 'latest' }, warn: { level: 'privileged', version: 'latest' } };

/**
 * The policy a namespace's labels select. Missing labels: the configured defaults
 * (privileged:latest unless configured, as upstream). An invalid level is reported and read as
 * restricted (upstream's ParseLevel), so a typo never opens a namespace up; an invalid version
 * as latest.
 */
export function namespacePolicy(labels: Record<string, string> | undefined, defaults: NamespacePolicy = PRIVILEGED): { policy: NamespacePolicy; errors: LabelError[] } {
  const errors: LabelError[] = [];
  const policy = {} as NamespacePolicy;
  for (const mode of ['enforce', 'audit', 'warn'] as Mode[]) {
    const lk = `${LABEL_PREFIX}${mode}`;
    const vk = `${lk}-version`;
    let level: Level = defaults[mode].level;
    let version = defaults[mode].version;
    const lv = labels?.[lk];
    if (lv !== undefined) {
      if (LEVELS.includes(lv as Level)) {
        level = lv as Level;
        // A valid level label without a version label means latest, whatever the default.
        version = 'latest';
      } else {
        errors.push({ label: lk, value: lv, message: `must be one of ${LEVELS.join(', ')}` });
        level = 'restricted';
      }
    }
    const vv = labels?.[vk];
    if (vv !== undefined) {
      if (vv === 'latest' || /^v1\.(0|[1-9]\d*)$/.test(vv)) version = vv;
      else {
        errors.push({ label: vk, value: vv, message: 'must be "latest" or "v1.<minor>"' });
        version = 'latest';
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
