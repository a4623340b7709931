import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerdPaths, dataDirId, MAX_SOCKET_PATH } from './paths.js';
import { renderContainerdConfig, tomlString } from './config.js';

test('paths: everything under the data dir, state under /run/kts/<id>', () => {
  const p = containerdPaths('/var/lib/kts');
  assert.equal(p.config, '/var/lib/kts/agent/containerd/config.toml');
  assert.equal(p.socket, '/var/lib/kts/agent/containerd/containerd.sock');
  assert.equal(p.state, `/run/kts/${dataDirId('/var/lib/kts')}/containerd`);
  assert.equal(p.cniConfDir, '/var/lib/kts/agent/etc/cni/net.d');
  assert.match(dataDirId('/var/lib/kts'), /^[0-9a-f]{12}$/);
  assert.notEqual(dataDirId('/var/lib/kts'), dataDirId('/var/lib/kts2'));
});

test('paths: a socket path too long for sun_path moves under /run/kts/<id>', () => {
  const deep = '/tmp/' + 'x'.repeat(80);
  const p = containerdPaths(deep);
  assert.equal(p.socket, `/run/kts/${dataDirId(deep)}/containerd.sock`);
  assert.ok(p.socket.length + '.ttrpc'.length < 108);
  const edge = '/tmp/' + 'y'.repeat(MAX_SOCKET_PATH - '/tmp//agent/containerd/containerd.sock'.length);
  assert.equal(containerdPaths(edge).socket.length, MAX_SOCKET_PATH);
  assert.equal(containerdPaths(edge + 'z').socket, `/run/kts/${dataDirId(edge + 'z')}/containerd.sock`);
});

test('config: the CRI settings this machine needs', () => {
  const paths = containerdPaths('/d');
  const text = renderContainerdConfig({ paths, sandboxImage: 'registry.k8s.io/pause:3.10', cniBinDir: '/usr/lib/cni', registryAuth: { 'r.example:5000': { username: 'u', password: 'p"w' } } });
  assert.match(text, /^version = 2$/m);
  assert.match(text, /^root = "\/d\/agent\/containerd\/root"$/m);
  assert.match(text, /^ {2}address = "\/d\/agent\/containerd\/containerd.sock"$/m);
  assert.match(text, /^ {2}restrict_oom_score_adj = true$/m);
  assert.match(text, /^ {2}SystemdCgroup = false$/m);
  assert.match(text, /^ {2}sandbox_image = "registry.k8s.io\/pause:3.10"$/m);
  assert.match(text, /^ {2}bin_dir = "\/usr\/lib\/cni"$/m);
  assert.match(text, /^ {2}conf_dir = "\/d\/agent\/etc\/cni\/net.d"$/m);
  assert.match(text, /^ {2}config_path = "\/d\/agent\/containerd\/certs.d"$/m);
  assert.match(text, /^\[plugins."io.containerd.grpc.v1.cri".registry.configs."r.example:5000".auth\]\n {2}username = "u"\n {2}password = "p\\"w"$/m);
});

test('tomlString escapes quotes, backslashes and control characters', () => {
  assert.equal(tomlString('a"b\\c\n'), '"a\\"b\\\\c\\n"');
});
