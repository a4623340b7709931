// Schemas of the apiextensions API types (to be filled in).
import type { StructDef } from './dsl.js';

export const defs: StructDef[] = [];
