// `kts secrets-encrypt status|rotate-keys` (k3s's subcommand): asks the running server, with the
// admin credentials from its data dir, for the encryption state or to rotate the key and
// re-encrypt every Secret.
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../server/config.js';
import { ENCRYPT_ROTATE_PATH, ENCRYPT_STATUS_PATH } from '../server/secrets-encryption.js';
import type { EncryptionStatus, RotateResult } from '../server/secrets-encryption.js';
import { adminClient } from './admin-client.js';

const USAGE = `Usage: kts secrets-encrypt status|rotate-keys [--data-dir DIR] [--kubeconfig FILE] [-o text|json]\n`;

export async function secretsEncryptCommand(args: string[]): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'data-dir': { type: 'string', short: 'd' }, kubeconfig: { type: 'string' }, output: { type: 'string', short: 'o' } } }));
  } catch (e) {
    process.stderr.write(`kts secrets-encrypt: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const sub = positionals[0];
  if (positionals.length !== 1 || (sub !== 'status' && sub !== 'rotate-keys')) {
    process.stderr.write(USAGE);
    return 2;
  }
  const client = adminClient(values['data-dir'] ?? defaultDataDir(), values.kubeconfig);
  try {
    if (sub === 'status') {
      const st = await client.call<EncryptionStatus>('GET', ENCRYPT_STATUS_PATH);
      if (values.output === 'json') process.stdout.write(JSON.stringify(st, null, 2) + '\n');
      else process.stdout.write(renderStatus(st));
      return 0;
    }
    const r = await client.call<RotateResult>('POST', ENCRYPT_ROTATE_PATH);
    if (values.output === 'json') process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else process.stdout.write(`new key ${r.newKey} is active; ${r.reencrypted} secrets re-encrypted (${r.unchanged} already current); removed keys: ${r.removedKeys.join(', ') || 'none'}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`kts secrets-encrypt ${sub}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    client.close();
  }
}

function renderStatus(st: EncryptionStatus): string {
  if (!st.enabled) return 'Encryption Status: Disabled\n';
  const lines = ['Encryption Status: Enabled', `Current Rotation Stage: ${st.stage}`, ''];
  lines.push('Active  Key Type  Name', '------  --------  ----');
  for (const k of st.keys) lines.push(`${k.active ? ' *' : '  '}      ${k.type.padEnd(8)}  ${k.name}`);
  const counts = Object.entries(st.secretsByKey);
  if (counts.length) lines.push('', `Secrets by key: ${counts.map(([k, n]) => `${k}=${n}`).join(', ')}`);
  return lines.join('\n') + '\n';
}
