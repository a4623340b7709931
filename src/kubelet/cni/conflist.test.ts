import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cniNames, renderCniConfig, writeCniConfig, CONFLIST_NAME } from './conflist.js';
import { containerdPaths } from '../containerd/paths.js';

test('bridge + host-local over the pod CIDR with gateway .1, portmap with portMappings', () => {
  const conf = JSON.parse(renderCniConfig({ confDir: '/x', bridge: 'kts1234abcd', podCidr: '10.42.3.0/24', mtu: 1450, network: 'kts-1234abcd', ipamDir: '/d/ipam' }));
  assert.equal(conf.cniVersion, '1.0.0');
  assert.equal(conf.name, 'kts-1234abcd');
  const [bridge, portmap] = conf.plugins;
  assert.deepEqual(
    { type: bridge.type, bridge: bridge.bridge, isGateway: bridge.isGateway, ipMasq: bridge.ipMasq, mtu: bridge.mtu },
    { type: 'bridge', bridge: 'kts1234abcd', isGateway: true, ipMasq: false, mtu: 1450 },
  );
  assert.deepEqual(bridge.ipam, { type: 'host-local', ranges: [[{ subnet: '10.42.3.0/24', gateway: '10.42.3.1' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: '/d/ipam' });
  assert.deepEqual(portmap.capabilities, { portMappings: true });
  assert.equal(conf.plugins.length, 2);
});

test('a CIDR with host bits is normalised; IPv6 and bad input are errors', () => {
  const conf = JSON.parse(renderCniConfig({ confDir: '/x', bridge: 'b', podCidr: '10.42.3.77/24' }));
  assert.equal(conf.plugins[0].ipam.ranges[0][0].subnet, '10.42.3.0/24');
  assert.equal(conf.plugins[0].mtu, undefined);
  assert.throws(() => renderCniConfig({ confDir: '/x', bridge: 'b', podCidr: 'fd00::/64' }), /IPv6/);
  assert.throws(() => renderCniConfig({ confDir: '/x', bridge: 'b', podCidr: '10.0.0.300/24' }), /not a usable/);
  assert.throws(() => renderCniConfig({ confDir: '/x', bridge: 'a-very-long-bridge-name', podCidr: '10.0.0.0/24' }), /1-15/);
});

test('names: cni0 for the default data dir, kts+8 hex elsewhere; conf dir matches containerd', async () => {
  assert.equal(cniNames('/var/lib/kts').bridge, 'cni0');
  const n = cniNames('/tmp/a');
  assert.match(n.bridge, /^kts[0-9a-f]{8}$/);
  assert.notEqual(n.bridge, cniNames('/tmp/b').bridge);
  assert.equal(n.network, `kts-${n.bridge.slice(3)}`);
  const dir = mkdtempSync(join(tmpdir(), 'kts-cni-'));
  try {
    const confDir = containerdPaths(dir).cniConfDir;
    const path = await writeCniConfig({ confDir, bridge: 'b0', podCidr: '10.1.0.0/16' });
    assert.equal(path, join(confDir, CONFLIST_NAME));
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).plugins[0].ipam.ranges[0][0].gateway, '10.1.0.1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
