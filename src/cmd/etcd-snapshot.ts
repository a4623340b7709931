// `kts etcd-snapshot save|ls|delete|prune` (k3s's command): snapshots of the embedded etcd in
// <data-dir>/server/db/snapshots (server/etcd/etcd-snapshots.ts). `save` needs the server (its
// etcd member) running; the others work on the files. Each says in one line what it did.
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../server/config.js';
import { deleteSnapshots, listSnapshots, ON_DEMAND_NAME, pruneSnapshots, saveSnapshot } from '../server/etcd/etcd-snapshots.js';
import { join } from 'node:path';
import type { Output } from './datastore.js';

const USAGE = `Usage: kts etcd-snapshot save [--name NAME] [--data-dir DIR]
       kts etcd-snapshot ls [--data-dir DIR]
       kts etcd-snapshot delete NAME... [--data-dir DIR]
       kts etcd-snapshot prune [--name NAME] [--snapshot-retention N] [--data-dir DIR]

  save      Takes a snapshot of the server's embedded etcd (the server must be running) into
            <data-dir>/server/db/snapshots/<NAME>-<node>-<unix time> (NAME default ${ON_DEMAND_NAME}),
            checked against the SHA-256 etcd sends with it. It holds every object, Secrets
            included: keep it private. Restore it with
            kts server --cluster-reset --cluster-reset-restore-path=FILE.
  ls        Lists the snapshots (name, location, size, created).
  delete    Deletes the named snapshots.
  prune     Deletes the oldest snapshots named NAME-… beyond the newest N (default 5).
`;

const stdio: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function etcdSnapshotCommand(args: string[], io: Output = stdio): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { 'data-dir': { type: 'string', short: 'd' }, name: { type: 'string' }, 'snapshot-retention': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    io.err(`kts etcd-snapshot: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  // grpc-js names an IP target as the TLS server name, which node warns about on every
  // connection: noise in a command's one-line report (the server's certificate is still checked).
  process.noDeprecation = true;
  const [sub, ...names] = positionals;
  const serverDir = join(values['data-dir'] ?? defaultDataDir(), 'server');
  const retention = values['snapshot-retention'];
  const usable =
    (sub === 'save' && !names.length && retention === undefined) ||
    ((sub === 'ls' || sub === 'list') && !names.length && retention === undefined && values.name === undefined) ||
    (sub === 'delete' && names.length > 0 && retention === undefined && values.name === undefined) ||
    (sub === 'prune' && !names.length);
  if (!usable) {
    io.err(USAGE);
    return 2;
  }
  if (retention !== undefined && !/^\d+$/.test(retention)) {
    io.err(`kts etcd-snapshot prune: --snapshot-retention must be a whole number, not "${retention}"\n`);
    return 2;
  }
  try {
    if (sub === 'save') {
      const s = await saveSnapshot(serverDir, { name: values.name });
      io.out(`saved snapshot ${s.name} (revision ${s.revision}, ${s.bytes} bytes, sha256 ${s.sha256.slice(0, 12)}…) to ${s.path} in ${s.ms < 1000 ? `${Math.round(s.ms)} ms` : `${(s.ms / 1000).toFixed(1)} s`}\n`);
    } else if (sub === 'ls' || sub === 'list') {
      io.out(snapshotTable(await listSnapshots(serverDir)));
    } else if (sub === 'delete') {
      const gone = await deleteSnapshots(serverDir, names);
      io.out(`deleted ${gone.join(', ')}\n`);
    } else {
      const n = retention === undefined ? 5 : Number(retention);
      const gone = await pruneSnapshots(serverDir, values.name ?? ON_DEMAND_NAME, n);
      io.out(gone.length ? `pruned ${gone.length} snapshot(s) beyond the newest ${n}: ${gone.join(', ')}\n` : `nothing to prune: at most ${n} snapshot(s) named ${values.name ?? ON_DEMAND_NAME}-…\n`);
    }
    return 0;
  } catch (e) {
    io.err(`kts etcd-snapshot ${sub}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** k3s's table: Name, Location, Size (bytes), Created (RFC 3339). */
export function snapshotTable(rows: { name: string; location: string; bytes: number; created: Date }[]): string {
  const cells = [['Name', 'Location', 'Size', 'Created'], ...rows.map((r) => [r.name, r.location, String(r.bytes), r.created.toISOString().replace(/\.\d{3}Z$/, 'Z')])];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]! + 1))).join(' ')).join('\n') + '\n';
}
