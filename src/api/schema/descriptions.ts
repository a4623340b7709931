// Field documentation for the built-in schemas, as `kubectl explain` prints it. Kept out of the
// schema files (which stay a compact picture of the types) in JSON files under descriptions/, one
// per schema file: { "<definition name>": { ".": "<the type>", "<field>": "<the field>" } }. They
// are read on first use only (the OpenAPI documents), so a server nobody asks for them does not
// carry the text. The build copies them beside the compiled module (scripts/copy-assets.mjs).
import { readdirSync, readFileSync } from 'node:fs';

export type Descriptions = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** The key under which a definition's own description is kept. */
export const TYPE_KEY = '.';

let cached: Descriptions | undefined;

/** Every description file merged (later files may not redefine a definition). */
export function descriptions(): Descriptions {
  if (cached) return cached;
  const dir = new URL('./descriptions/', import.meta.url);
  const out = new Map<string, Record<string, string>>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    // An install without the files: schemas are served without field documentation.
  }
  for (const f of files) {
    const doc = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Record<string, Record<string, string>>;
    for (const [name, fields] of Object.entries(doc)) {
      if (out.has(name)) throw new Error(`descriptions/${f}: ${name} is described twice`);
      out.set(name, fields);
    }
  }
  cached = out;
  return out;
}
