// A compact description language for the Kubernetes API's object schemas.
// One definition serves several purposes: strategic merge patch (merge keys and strategies),
// unknown-field and type checking (fieldValidation), pruning, and the OpenAPI documents.
// Type names are the public OpenAPI definition names (io.k8s.api.core.v1.Container, ...).

export type Schema =
  | { type: 'string'; enum?: readonly string[]; format?: 'byte' | 'date-time' }
  | { type: 'integer'; format: 'int32' | 'int64' }
  | { type: 'number'; format?: 'double' }
  | { type: 'boolean' }
  /** A named struct, defined elsewhere in the registry. */
  | { type: 'ref'; ref: string }
  /** map[string]X */
  | { type: 'map'; values: Schema }
  | ArraySchema
  /** Either an integer or a string (intstr.IntOrString). */
  | { type: 'int-or-string' }
  /** A resource.Quantity: a string like "100m" or "1Gi", or a number. */
  | { type: 'quantity' }
  /** metav1.Time / MicroTime: RFC 3339 string (or null). */
  | { type: 'time'; micro?: boolean }
  /** Arbitrary JSON kept as given (runtime.RawExtension, JSON, preserve-unknown-fields). */
  | { type: 'any' };

export interface ArraySchema {
  type: 'array';
  items: Schema;
  /** x-kubernetes-list-type; defaults to 'atomic'. */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys, for listType 'map'. */
  mapKeys?: readonly string[];
  /** x-kubernetes-patch-strategy: how strategic merge patch treats the list. */
  patchStrategy?: 'merge' | 'replace' | 'merge,retainKeys';
  /** x-kubernetes-patch-merge-key: the field identifying items for strategic merge. */
  patchMergeKey?: string;
}

export interface FieldDef {
  schema: Schema;
  description?: string;
  /** Field-level patch strategy for non-list fields (e.g. 'retainKeys' on a struct). */
  patchStrategy?: 'retainKeys' | 'replace';
}

export interface StructDef {
  /** OpenAPI definition name, e.g. io.k8s.api.apps.v1.Deployment. */
  name: string;
  description?: string;
  fields: Record<string, FieldDef>;
  required?: readonly string[];
  /** Struct-level strategy: 'retainKeys' (e.g. Volume, DeploymentStrategy) marks union types. */
  patchStrategy?: 'retainKeys';
  /** For top-level kinds: the group/version/kind this struct is served as. */
  gvk?: { group: string; version: string; kind: string }[];
}

// --- building blocks -------------------------------------------------------------------------

export const str = (enumValues?: readonly string[]): Schema => (enumValues ? { type: 'string', enum: enumValues } : { type: 'string' });
export const bytes = (): Schema => ({ type: 'string', format: 'byte' });
export const int32 = (): Schema => ({ type: 'integer', format: 'int32' });
export const int64 = (): Schema => ({ type: 'integer', format: 'int64' });
export const num = (): Schema => ({ type: 'number', format: 'double' });
export const bool = (): Schema => ({ type: 'boolean' });
export const ref = (name: string): Schema => ({ type: 'ref', ref: name });
export const map = (values: Schema = str()): Schema => ({ type: 'map', values });
export const intOrString = (): Schema => ({ type: 'int-or-string' });
export const quantity = (): Schema => ({ type: 'quantity' });
export const time = (): Schema => ({ type: 'time' });
export const microTime = (): Schema => ({ type: 'time', micro: true });
export const any = (): Schema => ({ type: 'any' });

/** An atomic list (replaced whole by strategic merge patch). */
export const list = (items: Schema): ArraySchema => ({ type: 'array', items });
/** A list of scalars merged as a set (patchStrategy merge, listType set). */
export const setList = (items: Schema = str()): ArraySchema => ({ type: 'array', items, listType: 'set', patchStrategy: 'merge' });
/**
 * A list of structs keyed by `mergeKey` (patchStrategy merge). `mapKeys` defaults to [mergeKey];
 * pass it when the server-side-apply keys differ (e.g. container ports: containerPort+protocol).
 */
export const mapList = (items: Schema, mergeKey: string, opts: { mapKeys?: readonly string[]; retainKeys?: boolean; listType?: 'map' | 'atomic' } = {}): ArraySchema => ({
  type: 'array',
  items,
  listType: opts.listType ?? 'map',
  mapKeys: opts.mapKeys ?? [mergeKey],
  patchStrategy: opts.retainKeys ? 'merge,retainKeys' : 'merge',
  patchMergeKey: mergeKey,
});

/** Field with an optional description: f(str(), 'Name of the container.') */
export const f = (schema: Schema, description?: string, patchStrategy?: FieldDef['patchStrategy']): FieldDef => {
  const d: FieldDef = { schema };
  if (description) d.description = description;
  if (patchStrategy) d.patchStrategy = patchStrategy;
  return d;
};

type FieldSpec = Schema | FieldDef;
function isFieldDef(x: FieldSpec): x is FieldDef {
  return (x as FieldDef).schema !== undefined;
}

/**
 * Defines a struct. Fields may be given as bare schemas or as f(schema, description).
 *   struct('io.k8s.api.core.v1.ContainerPort', { containerPort: int32(), protocol: str() }, { required: ['containerPort'] })
 */
export function struct(
  name: string,
  fields: Record<string, FieldSpec>,
  opts: { required?: readonly string[]; description?: string; patchStrategy?: 'retainKeys'; gvk?: StructDef['gvk'] } = {},
): StructDef {
  const out: Record<string, FieldDef> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = isFieldDef(v) ? v : { schema: v };
  const def: StructDef = { name, fields: out };
  if (opts.required) def.required = opts.required;
  if (opts.description) def.description = opts.description;
  if (opts.patchStrategy) def.patchStrategy = opts.patchStrategy;
  if (opts.gvk) def.gvk = opts.gvk;
  return def;
}

/** The standard fields every top-level kind starts with. */
export function kindFields(): Record<string, FieldSpec> {
  return {
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
  };
}

/** The standard List type for a kind: apiVersion, kind, metadata (ListMeta), items. */
export function listOf(itemName: string, listName: string, gvk: { group: string; version: string; kind: string }): StructDef {
  return struct(
    listName,
    {
      apiVersion: str(),
      kind: str(),
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta'),
      items: list(ref(itemName)),
    },
    { required: ['items'], gvk: [gvk] },
  );
}
