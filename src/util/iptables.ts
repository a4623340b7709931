// iptables-save / iptables-restore, shared by kube-proxy and `kts cleanup`. A cluster's tables
// can be large (1,000 Services × 10 endpoints ≈ 50,000 lines): no small output buffers.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function iptablesSave(table: string): Promise<string> {
  return (await run('iptables-save', ['-t', table], { maxBuffer: 256 * 1024 * 1024 })).stdout;
}

/** Applies a restore script without flushing what it does not name. */
export async function iptablesRestore(script: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    // -w: wait for the xtables lock other writers (CNI plugins, other nodes) hold.
    const child = execFile('iptables-restore', ['--noflush', '-w', '5'], { maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) => (err ? reject(new Error(`iptables-restore: ${(stderr || err.message).trim()}`)) : resolve()));
    child.stdin!.end(script);
  });
}
