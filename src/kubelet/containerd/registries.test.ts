import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRegistries, registryAuth, renderHostsFiles, RegistriesError } from './registries.js';

const YAML = `
mirrors:
  docker.io:
    endpoint:
      - "http://127.0.0.1:5000"
      - mirror.example.com
  "*":
    endpoint: ["https://all.example/v2"]
configs:
  "127.0.0.1:5000":
    tls:
      insecure_skip_verify: true
  mirror.example.com:
    auth: { username: alice, password: secret }
    tls: { ca_file: /ca.pem, cert_file: /c.pem, key_file: /k.pem }
  private.example:
    tls: { insecure_skip_verify: true }
`;

test('mirrors become hosts.toml hosts in order, upstream stays the server', () => {
  const files = renderHostsFiles(parseRegistries(YAML));
  assert.deepEqual([...files.keys()].sort(), ['127.0.0.1:5000', '_default', 'docker.io', 'mirror.example.com', 'private.example']);
  const docker = files.get('docker.io')!;
  assert.match(docker, /^server = "https:\/\/registry-1.docker.io"$/m);
  const first = docker.indexOf('[host."http://127.0.0.1:5000"]');
  const second = docker.indexOf('[host."https://mirror.example.com"]');
  assert.ok(first > 0 && second > first, docker);
  assert.match(docker.slice(first, second), /skip_verify = true/);
  assert.match(docker.slice(second), /ca = "\/ca.pem"\n {2}client = \[\["\/c.pem", "\/k.pem"\]\]/);
  assert.match(files.get('_default')!, /\[host."https:\/\/all.example\/v2"\]\n.*\n {2}override_path = true/);
  assert.doesNotMatch(files.get('_default')!, /^server/m);
  assert.match(files.get('private.example')!, /^server = "https:\/\/private.example"\nskip_verify = true\n\n\[host."https:\/\/private.example"\]\n {2}capabilities = \["pull", "resolve"\]\n {2}skip_verify = true\n$/m);
  // Only credentials: no hosts.toml (1.6 refuses one without [host] tables).
  assert.equal(renderHostsFiles(parseRegistries('configs: { auth.example: { auth: { username: u, password: p } } }')).size, 0);
});

test('auth goes to the containerd config per host', () => {
  assert.deepEqual(registryAuth(parseRegistries(YAML)), { 'mirror.example.com': { username: 'alice', password: 'secret' } });
});

test('empty file, unknown fields, rewrite and bad values are clear errors', () => {
  assert.deepEqual(parseRegistries(''), { mirrors: {}, configs: {} });
  assert.throws(() => parseRegistries('mirror: {}'), /unknown field "mirror"/);
  assert.throws(() => parseRegistries('mirrors: { docker.io: { endpoint: ["x"], rewrite: { "^a/(.*)": "b/$1" } } }'), /rewrite is not supported/);
  assert.throws(() => parseRegistries('mirrors: { docker.io: { endpoint: "http://x" } }'), /must be a list of URLs/);
  assert.throws(() => parseRegistries('mirrors: { docker.io: { endpoint: ["ftp://x"] } }'), /must be http or https/);
  assert.throws(() => parseRegistries('configs: { r: { tls: { insecure_skip_verify: "yes" } } }'), /true or false/);
  assert.throws(() => parseRegistries('configs: { r: { tls: { cert_file: /c } } }'), /go together/);
  assert.throws(() => parseRegistries('configs: { r: { auth: { token: x } } }'), RegistriesError);
});
