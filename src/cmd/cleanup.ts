// `kts cleanup [--data-dir DIR]`: stops the node's pods and containerd and removes what it left
// on the host (see docs/runtime.md). Run it with the agent stopped; running it twice is harmless.
import { parseArgs } from 'node:util';
import { createLogger } from '../util/log.js';
import { cleanupNode } from '../kubelet/containerd/cleanup.js';
import { defaultDataDir } from '../server/config.js';
import { proxyChainPrefix } from '../proxy/names.js';
import { findNginxMasters } from '../ingress/nginx-process.js';
import { cleanupHostGwRoutes } from '../agent/host-gw.js';
import { podMasqPrefix } from '../agent/pod-masquerade.js';
import { stopProcess } from '../util/process.js';
import { findEtcdProcesses } from '../server/etcd/etcd-process.js';
import { join } from 'node:path';

const HELP = `Usage: kts cleanup [--data-dir DIR]

Stops and removes every pod of the node whose data dir is DIR (default /var/lib/kts as root),
stops its containerd and shims, unmounts what is mounted under its folders, and removes its pod
cgroups, CNI state, bridge and veths, iptables rules and routes to other nodes' pods, and stops
its ingress nginx and embedded etcd. Stop kts
server/agent first.
`;

export async function cleanupCommand(args: string[]): Promise<number> {
  let dataDir: string;
  try {
    const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: { 'data-dir': { type: 'string', short: 'd' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    dataDir = values['data-dir'] ?? defaultDataDir();
  } catch (e) {
    process.stderr.write(`kts cleanup: ${(e as Error).message}\n`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('kts cleanup: must run as root (it unmounts, removes cgroups, interfaces and iptables rules)\n');
    return 1;
  }
  // kts's shared KTS- chains, this node's kube-proxy chains (KTS<hash of the data dir>-*) and its
  // pod masquerade chain (KTSM<hash>-*).
  const chainPrefixes = ['KTS-', `${proxyChainPrefix(dataDir)}-`, podMasqPrefix(dataDir)];
  const report = await cleanupNode({ dataDir, log: createLogger({ level: 'warn', component: 'cleanup' }), chainPrefixes });
  for (const r of await cleanupHostGwRoutes(dataDir)) report.lines.push(`routes: removed ${r}`);
  // The ingress data plane's nginx, if a killed server left it running.
  for (const pid of findNginxMasters(join(dataDir, 'agent', 'ingress', 'nginx.conf'))) {
    await stopProcess(pid, 5000);
    report.lines.push(`stopped the ingress nginx (pid ${pid})`);
  }
  // The embedded etcd member, should a killed server have left it running.
  for (const pid of findEtcdProcesses(join(dataDir, 'server', 'db', 'etcd'))) {
    await stopProcess(pid, 10_000);
    report.lines.push(`stopped the embedded etcd (pid ${pid})`);
  }
  process.stdout.write(report.lines.length ? report.lines.map((l) => l + '\n').join('') : 'nothing to clean up\n');
  for (const e of report.errors) process.stderr.write(`kts cleanup: ${e}\n`);
  return report.errors.length ? 1 : 0;
}
