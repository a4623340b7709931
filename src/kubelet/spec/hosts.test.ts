import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostsFile, writeHostsFile } from './hosts.js';
import type { Pod } from './types.js';

const pod = (spec: Partial<Pod['spec']> = {}, name = 'web-0'): Pod => ({ metadata: { name, namespace: 'team', uid: 'u' }, spec: { containers: [], ...spec } });
const LOCAL = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';

test('managed hosts file: localhost, pod IPs with the hostname', () => {
  assert.equal(hostsFile(pod(), ['10.42.0.5', 'fd00::5'], 'cluster.local'), `# Kubernetes-managed hosts file.\n${LOCAL}10.42.0.5\tweb-0\nfd00::5\tweb-0\n`);
});

test('hostname and subdomain give the FQDN; hostAliases are appended', () => {
  const p = pod({ hostname: 'db', subdomain: 'backend', hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }] });
  assert.equal(hostsFile(p, ['10.42.0.5'], 'cluster.local'),
    `# Kubernetes-managed hosts file.\n${LOCAL}10.42.0.5\tdb.backend.team.svc.cluster.local\tdb\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n`);
});

test('long pod names are cut to 63 characters without a trailing dash', () => {
  const name = 'a'.repeat(62) + '-b';
  assert.match(hostsFile(pod({}, name), ['10.0.0.1'], 'cluster.local'), new RegExp(`10\\.0\\.0\\.1\\t${'a'.repeat(62)}\\n$`));
});

test('host-network pods get the node hosts file, written to <podDir>/etc-hosts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-hosts-'));
  try {
    writeFileSync(join(dir, 'node-hosts'), '127.0.0.1 localhost\n192.168.1.10 node-1\n');
    const p = pod({ hostNetwork: true, hostAliases: [{ ip: '1.2.3.4', hostnames: ['x'] }] });
    const path = await writeHostsFile(dir, p, ['192.168.1.10'], 'cluster.local', join(dir, 'node-hosts'));
    assert.equal(path, join(dir, 'etc-hosts'));
    assert.equal(readFileSync(path, 'utf8'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n192.168.1.10 node-1\n\n# Entries added by HostAliases.\n1.2.3.4\tx\n');
    await writeHostsFile(dir, pod(), ['10.42.0.9'], 'cluster.local');
    assert.match(readFileSync(path, 'utf8'), /10\.42\.0\.9\tweb-0\n$/);
    assert.throws(() => hostsFile(p, [], 'cluster.local'), /needs the node's hosts file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
