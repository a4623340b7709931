// The registry of all built-in schemas, keyed by OpenAPI definition name.
import type { Schema, StructDef } from './dsl.js';
import * as meta from './meta.js';
import * as corePod from './core-pod.js';
import * as core from './core.js';
import * as apps from './apps.js';
import * as batch from './batch.js';
import * as autoscaling from './autoscaling.js';
import * as networking from './networking.js';
import * as discovery from './discovery.js';
import * as events from './events.js';
import * as coordination from './coordination.js';
import * as storage from './storage.js';
import * as rbac from './rbac.js';
import * as policy from './policy.js';
import * as scheduling from './scheduling.js';
import * as apiextensions from './apiextensions.js';
import * as admissionregistration from './admissionregistration.js';
import * as certificates from './certificates.js';
import * as authorization from './authorization.js';

const all: StructDef[] = [
  ...meta.defs, ...corePod.defs, ...core.defs, ...apps.defs, ...batch.defs, ...autoscaling.defs,
  ...networking.defs, ...discovery.defs, ...events.defs, ...coordination.defs, ...storage.defs,
  ...rbac.defs, ...policy.defs, ...scheduling.defs, ...apiextensions.defs, ...admissionregistration.defs,
  ...certificates.defs,
  ...authorization.defs,
];

export const schemas: ReadonlyMap<string, StructDef> = new Map(all.map((d) => [d.name, d]));

/** The struct for a definition name; throws for an unknown name (a bug in the schema files). */
export function structOf(name: string): StructDef {
  const d = schemas.get(name);
  if (!d) throw new Error(`schema: unknown definition ${name}`);
  return d;
}

/** The struct served as group/version/kind, if any. */
export function structForKind(group: string, version: string, kind: string): StructDef | undefined {
  return byGvk.get(`${group}/${version}/${kind}`);
}

const byGvk = new Map<string, StructDef>();
for (const d of all) for (const g of d.gvk ?? []) byGvk.set(`${g.group}/${g.version}/${g.kind}`, d);

/** Resolves a ref schema to its struct (other schemas are returned unchanged). */
export function resolve(s: Schema): Schema | StructDef {
  return s.type === 'ref' ? structOf(s.ref) : s;
}
