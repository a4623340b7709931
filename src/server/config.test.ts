import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServerConfig, ConfigError, kubernetesServiceIp } from './config.js';
import { primaryIp } from '../agent/node-config.js';

test('--max-requests-inflight: 400 by default (as upstream), a positive integer otherwise', () => {
  const base = { 'disable-agent': true };
  assert.equal(buildServerConfig(base).maxRequestsInflight, 400);
  assert.equal(buildServerConfig({ ...base, 'max-requests-inflight': '8' }).maxRequestsInflight, 8);
  for (const bad of ['0', '-1', '2.5', 'many']) {
    assert.throws(() => buildServerConfig({ ...base, 'max-requests-inflight': bad }), (e: Error) => e instanceof ConfigError && e.message === `--max-requests-inflight: must be a positive integer (got "${bad}")`);
  }
});

test('--datastore-endpoint: SQLite by default or with sqlite://; http(s):// endpoints choose etcd; others are refused', () => {
  const base = { 'disable-agent': true };
  assert.deepEqual(buildServerConfig(base).datastore, { kind: 'sqlite' });
  assert.deepEqual(buildServerConfig({ ...base, 'datastore-endpoint': 'sqlite://' }).datastore, { kind: 'sqlite' });
  assert.deepEqual(buildServerConfig({ ...base, 'datastore-endpoint': 'http://127.0.0.1:2379' }).datastore, { kind: 'etcd', endpoints: ['http://127.0.0.1:2379'], caFile: undefined, certFile: undefined, keyFile: undefined });
  assert.deepEqual(
    buildServerConfig({ ...base, 'datastore-endpoint': 'https://h1:2379, https://h2', 'datastore-cafile': '/ca.crt', 'datastore-certfile': '/c.crt', 'datastore-keyfile': '/c.key' }).datastore,
    { kind: 'etcd', endpoints: ['https://h1:2379', 'https://h2'], caFile: '/ca.crt', certFile: '/c.crt', keyFile: '/c.key' },
  );
  const refused = (flags: Record<string, string>, message: RegExp) => assert.throws(() => buildServerConfig({ ...base, ...flags }), (e: Error) => e instanceof ConfigError && message.test(e.message));
  refused({ 'datastore-endpoint': 'mysql://user:pass@tcp(db:3306)/kts' }, /^--datastore-endpoint: "mysql:\/\/.*" is not supported; use sqlite:\/\/ .* or etcd endpoints http\(s\):\/\/host:2379/);
  refused({ 'datastore-endpoint': 'postgres://db/kts' }, /^--datastore-endpoint: "postgres:\/\/db\/kts" is not supported/);
  refused({ 'datastore-endpoint': 'https://h1:2379,etcd2:2379' }, /^--datastore-endpoint: "etcd2:2379" is not supported/);
  refused({ 'datastore-endpoint': 'https://h1:2379/prefix' }, /^--datastore-endpoint: invalid etcd endpoint "https:\/\/h1:2379\/prefix"/);
  refused({ 'datastore-cafile': '/ca.crt' }, /^--datastore-cafile: only used with an etcd --datastore-endpoint/);
  refused({ 'datastore-endpoint': 'http://h:2379', 'datastore-keyfile': '/k' }, /^--datastore-keyfile: the etcd endpoints are http:\/\//);
  refused({ 'datastore-endpoint': 'https://h:2379', 'datastore-certfile': '/c' }, /^--datastore-certfile and --datastore-keyfile: give both/);
});

test('embedded etcd: --cluster-init, --server with the full token, member ports; conflicting flags are refused', () => {
  const base = { 'disable-agent': true };
  const token = `K10${'a'.repeat(64)}::server:secret`;
  assert.deepEqual(buildServerConfig(base).embeddedEtcd, { clusterInit: false, join: undefined, clientPort: 2379, peerPort: 2380, snapshots: { cron: '0 */12 * * *', retention: 5 }, clusterReset: undefined });
  assert.deepEqual(buildServerConfig({ ...base, 'cluster-init': true, 'etcd-client-port': '12379', 'etcd-peer-port': '12380' }).embeddedEtcd, { clusterInit: true, join: undefined, clientPort: 12379, peerPort: 12380, snapshots: { cron: '0 */12 * * *', retention: 5 }, clusterReset: undefined });
  assert.deepEqual(buildServerConfig({ ...base, server: 'https://first:6443/', token }).embeddedEtcd.join, { server: 'https://first:6443', token });
  const refused = (flags: Record<string, string | boolean>, message: RegExp) => assert.throws(() => buildServerConfig({ ...base, ...flags }), (e: Error) => e instanceof ConfigError && message.test(e.message));
  refused({ server: 'https://first:6443', token: 'secret' }, /^--server: joining a server needs --token with the cluster's full node token/);
  refused({ server: 'http://first:6443', token }, /^--server: must be an https:\/\/ URL/);
  refused({ 'cluster-init': true, server: 'https://first:6443', token }, /^--cluster-init starts a new cluster; --server joins an existing one/);
  refused({ 'cluster-init': true, 'datastore-endpoint': 'http://h:2379' }, /^--cluster-init: the embedded etcd cannot be combined with an external --datastore-endpoint/);
  refused({ 'etcd-client-port': '0' }, /^--etcd-client-port: invalid port "0"/);
  refused({ 'etcd-client-port': '2380' }, /^--etcd-client-port and --etcd-peer-port must differ/);
});

test('etcd snapshots and cluster reset: k3s defaults (every 12 hours, keep 5), validated flags, only with the embedded etcd', () => {
  const base = { 'disable-agent': true, 'cluster-init': true };
  const ee = (flags: Record<string, string | boolean>) => buildServerConfig({ ...base, ...flags }).embeddedEtcd;
  assert.deepEqual(ee({ 'etcd-snapshot-schedule-cron': '*/5 * * * *', 'etcd-snapshot-retention': '2' }).snapshots, { cron: '*/5 * * * *', retention: 2 });
  assert.deepEqual(ee({ 'etcd-snapshot-schedule-cron': '@every 2s' }).snapshots, { cron: '@every 2s', retention: 5 });
  assert.equal(ee({ 'etcd-disable-snapshots': true }).snapshots, undefined);
  assert.deepEqual(ee({ 'cluster-reset': true }).clusterReset, { restorePath: undefined });
  assert.deepEqual(ee({ 'cluster-reset': true, 'cluster-reset-restore-path': '/s/on-demand-n-1' }).clusterReset, { restorePath: '/s/on-demand-n-1' });
  const refused = (flags: Record<string, string | boolean>, message: RegExp) => assert.throws(() => buildServerConfig({ ...base, ...flags }), (e: Error) => e instanceof ConfigError && message.test(e.message));
  refused({ 'etcd-snapshot-schedule-cron': '0 */12 * *' }, /^--etcd-snapshot-schedule-cron: "0 \*\/12 \* \*": /);
  refused({ 'etcd-snapshot-retention': '0' }, /^--etcd-snapshot-retention: must be a positive whole number \(got "0"\)/);
  refused({ 'cluster-reset-restore-path': '/s/x' }, /^--cluster-reset-restore-path: only with --cluster-reset/);
  refused({ 'cluster-init': false, 'etcd-snapshot-retention': '3', 'datastore-endpoint': 'http://h:2379' }, /^--etcd-snapshot-retention: only for the embedded etcd/);
});

test('--advertise-address: given, else a specific --bind-address, else the node IP (as k3s), so pods reach the API', () => {
  assert.equal(buildServerConfig({ 'disable-agent': true, 'advertise-address': '10.1.2.3' }).advertiseAddress, '10.1.2.3');
  assert.equal(buildServerConfig({ 'disable-agent': true, 'bind-address': '127.0.0.1' }).advertiseAddress, '127.0.0.1');
  assert.equal(buildServerConfig({ 'node-ip': '192.0.2.9', 'data-dir': '/tmp/kts-config-test' }).advertiseAddress, '192.0.2.9');
  assert.equal(buildServerConfig({ 'disable-agent': true }).advertiseAddress, primaryIp());
  assert.equal(kubernetesServiceIp('10.43.0.0/16'), '10.43.0.1');
  assert.equal(kubernetesServiceIp('10.96.0.0/12'), '10.96.0.1');
});
