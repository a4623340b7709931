#!/usr/bin/env node
// `npm test`: the whole suite on a fresh clone or a working tree. Installs npm dependencies when
// they are missing (CI starts from a clean clone), then type-checks, lints, builds, and runs
// unit and e2e tests with node's built-in test runner (one summary).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
function run(cmd, args) {
  console.log(`\n> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (!existsSync(`${root}/node_modules/.package-lock.json`)) run('npm', ['ci']);
run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
run('npx', ['eslint', '.']);
run('npx', ['tsc', '-p', 'tsconfig.build.json']);
run(process.execPath, ['scripts/run-tests.mjs', 'all']);
