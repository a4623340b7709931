// Schemas of the core API types (to be filled in).
import type { StructDef } from './dsl.js';

export const defs: StructDef[] = [];
