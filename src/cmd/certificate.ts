// `kts certificate check|rotate` (k3s's subcommand): lists the host's certificates with their
// expiry; rotate moves leaf certificates aside so the server issues new ones from the same CAs
// (at once when it is running, else on its next start).
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../server/config.js';
import { CertRotateError, listCertificates, rotateCertificates } from '../server/cert-files.js';

const USAGE = `Usage: kts certificate check [--data-dir DIR] [-o text|table|json]
       kts certificate rotate [--data-dir DIR] [--service NAME ...]
`;
const DAY_MS = 86_400_000;
/** k3s warns about certificates expiring within 90 days. */
const WARN_DAYS = 90;

export async function certificateCommand(args: string[]): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'data-dir': { type: 'string', short: 'd' }, service: { type: 'string', short: 's', multiple: true }, output: { type: 'string', short: 'o' } } }));
  } catch (e) {
    process.stderr.write(`kts certificate: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const sub = positionals[0];
  if (sub === 'check' && positionals.length === 1) {
    const certs = await listCertificates(dataDir);
    if (!certs.length) {
      process.stderr.write(`kts certificate check: no certificates under ${dataDir}\n`);
      return 1;
    }
    const now = Date.now();
    if (values.output === 'json') {
      process.stdout.write(JSON.stringify(certs.map((c) => ({ ...c, notAfter: c.notAfter.toISOString(), residualDays: Math.floor((c.notAfter.getTime() - now) / DAY_MS) })), null, 2) + '\n');
      return 0;
    }
    const rows = [['FILENAME', 'SUBJECT', 'USAGES', 'EXPIRES', 'RESIDUAL TIME', 'STATUS']];
    for (const c of certs) {
      const left = c.notAfter.getTime() - now;
      const status = left <= 0 ? 'EXPIRED' : left < WARN_DAYS * DAY_MS ? 'WARNING' : 'OK';
      rows.push([c.path.slice(dataDir.length + 1), c.subject, c.usages.join(',') || '-', c.notAfter.toISOString(), left <= 0 ? '0d' : `${Math.floor(left / DAY_MS)}d`, status]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    process.stdout.write(rows.map((r) => r.map((v, i) => v.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n') + '\n');
    return 0;
  }
  if (sub === 'rotate' && positionals.length === 1) {
    try {
      const { moved, backupDir } = await rotateCertificates(dataDir, values.service ?? []);
      if (!moved.length) {
        process.stdout.write('no leaf certificates to rotate\n');
        return 0;
      }
      for (const m of moved) process.stdout.write(`rotating ${m.slice(dataDir.length + 1)}\n`);
      process.stdout.write(`backed up to ${backupDir}; a running server issues new certificates within seconds (clients other than the admin's pick them up on its next start), a stopped one on its next start\n`);
      return 0;
    } catch (e) {
      if (e instanceof CertRotateError) {
        process.stderr.write(`kts certificate rotate: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }
  process.stderr.write(USAGE);
  return 2;
}
