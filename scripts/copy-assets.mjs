// Copies the non-TypeScript files the compiled code reads at run time (the API field
// descriptions) from src/ to dist/, after tsc.
import { cpSync, existsSync } from 'node:fs';

const assets = ['api/schema/descriptions'];
for (const a of assets) if (existsSync(`src/${a}`)) cpSync(`src/${a}`, `dist/${a}`, { recursive: true, filter: (p) => !p.includes('.') || p.endsWith('.json') });
