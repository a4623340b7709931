#!/usr/bin/env node
// Runs the test suites with node's built-in test runner: `unit` (src/**/*.test.ts),
// `e2e` (test/e2e/*.test.ts, against the built bin/kts), or `all` (both, one summary).
// TypeScript test files run through tsx; e2e files run concurrently (each uses its own ports/dirs).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
function find(dir, suffix, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, suffix, out);
    else if (name.endsWith(suffix)) out.push(relative(root, p));
  }
  return out;
}

const which = process.argv[2] ?? 'all';
const files = [];
if (which === 'unit' || which === 'all') files.push(...find(join(root, 'src'), '.test.ts'));
if (which === 'e2e' || which === 'all') files.push(...find(join(root, 'test', 'e2e'), '.test.ts'));
const extra = process.argv.slice(3);
const selected = extra.length ? files.filter((f) => extra.some((e) => f.includes(e))) : files;
if (!selected.length) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = process.env.KTS_TEST_CONCURRENCY ?? '3';
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...selected], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
