// ServiceLB against simulated nodes (no containerd needed): LoadBalancer Services get the nodes'
// addresses through services/status, follow node labels and type changes, a port already held
// stays pending, and `--disable servicelb` leaves everything pending.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, eventually, sleep, type KtsServer } from './harness.js';

const servers: KtsServer[] = [];
after(async () => {
  for (const s of servers) await s.cleanup();
});

async function clusterWithNodes(extraArgs: string[] = []): Promise<KtsServer> {
  const srv = await startServer({ extraArgs });
  servers.push(srv);
  srv.startSimulatedAgent(['--nodes', '2', '--node-name', 'lb', '--ca-cert', join(srv.dataDir, 'server', 'tls', 'server-ca.crt')]);
  await eventually(() => srv.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}']).stdout === 'True True', 30_000, 'two Ready nodes');
  return srv;
}
const ingress = (srv: KtsServer, name: string) => srv.kubectl(['get', 'svc', name, '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}']).stdout;
const nodeIps = (srv: KtsServer) => srv.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].status.addresses[?(@.type=="InternalIP")].address}']).stdout.split(' ').sort();
function ok(srv: KtsServer, args: string[]): string {
  const r = srv.kubectl(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('LoadBalancer Services get the Ready nodes\' addresses; a held port stays pending; enablelb labels and type changes are followed', async () => {
  const srv = await clusterWithNodes();
  const ips = nodeIps(srv);
  assert.equal(ips.length, 2);
  ok(srv, ['create', 'service', 'loadbalancer', 'first', '--tcp=8080:80']);
  await eventually(() => ingress(srv, 'first') === ips.join(' '), 15_000, 'first gets both node addresses');
  await sleep(1100); // a later creationTimestamp
  ok(srv, ['create', 'service', 'loadbalancer', 'second', '--tcp=8080:80']);
  ok(srv, ['create', 'service', 'loadbalancer', 'third', '--tcp=9090:80']);
  await eventually(() => ingress(srv, 'third') === ips.join(' '), 15_000, 'third gets addresses');
  assert.equal(ingress(srv, 'second'), '', 'port 8080 is held by "first"');
  ok(srv, ['delete', 'svc', 'first']);
  await eventually(() => ingress(srv, 'second') === ips.join(' '), 15_000, 'second gets the port once first is gone');

  const node = srv.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).stdout;
  const nodeIp = srv.kubectl(['get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}']).stdout;
  ok(srv, ['label', 'node', node, 'svccontroller.k3s.cattle.io/enablelb=true']);
  await eventually(() => ingress(srv, 'third') === nodeIp, 15_000, 'only the labelled node');
  ok(srv, ['patch', 'svc', 'third', '-p', '{"spec":{"type":"NodePort"}}']);
  await eventually(() => ingress(srv, 'third') === '', 15_000, 'ingress cleared when no longer a LoadBalancer');
});

test('--disable servicelb leaves LoadBalancer Services pending', async () => {
  const srv = await clusterWithNodes(['--disable', 'servicelb']);
  ok(srv, ['create', 'service', 'loadbalancer', 'pending', '--tcp=8080:80']);
  await sleep(3000);
  assert.equal(ingress(srv, 'pending'), '');
  assert.match(ok(srv, ['get', 'svc', 'pending']), /<pending>/);
});
