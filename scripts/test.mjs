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
// The node's integration tests need the Debian packages scripts/install.sh installs, plus a
// registry for the image pull tests and etcd for the etcd datastore tests: install what is
// missing when running as root on Debian.
if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0) {
  const wanted = ['containerd', 'runc', 'containernetworking-plugins', 'iptables', 'busybox-static', 'docker-registry', 'nginx-light', 'conntrack', 'etcd-server', 'etcd-client'];
  const missing = wanted.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (missing.length) {
    console.log(`\n> installing Debian packages: ${missing.join(' ')}`);
    run('apt-get', ['update', '-qq']);
    const r = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { cwd: root, stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) process.exit(r.status ?? 1);
    // The ingress tests run kts's own nginx; the packaged service must not hold ports 80/443.
    if (missing.includes('nginx-light')) spawnSync('sh', ['-c', 'systemctl disable --now nginx || service nginx stop'], { stdio: 'ignore' });
    // The etcd datastore tests start their own etcd servers; the packaged one must not hold 2379.
    if (missing.includes('etcd-server')) spawnSync('sh', ['-c', 'systemctl disable --now etcd || service etcd stop'], { stdio: 'ignore' });
  }
}
run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
run('npx', ['eslint', '.']);
run('npx', ['tsc', '-p', 'tsconfig.build.json']);
run(process.execPath, ['scripts/run-tests.mjs', 'all']);
