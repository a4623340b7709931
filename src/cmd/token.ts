// `kts token create|list|delete|generate`: bootstrap tokens for joining agents, as `kubeadm token`
// (and `k3s token`). Tokens are kube-system Secrets of type bootstrap.kubernetes.io/token, written
// through the API with the admin kubeconfig (--kubeconfig, or <data-dir>/admin.kubeconfig).
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RestClient, resourcePath } from '../client/rest-client.js';
import { parseKubeconfig } from '../client/kubeconfig.js';
import { StatusError } from '../api/errors.js';
import type { KObject } from '../api/types.js';
import { defaultDataDir } from '../server/config.js';
import { caCertHash } from '../server/pki.js';
import { parseGoDuration, shortHumanDuration } from '../util/duration.js';
import {
  BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_TYPE, DEFAULT_EXTRA_GROUP, EXTRA_GROUP_RE, TOKEN_ID_RE,
  decodeTokenSecret, generateToken, parseBootstrapToken, tokenSecretName,
} from '../util/bootstrap-token.js';

const HELP = `Usage: kts token COMMAND [flags]

Manages bootstrap tokens, with which agents join the cluster (kts agent --token).

Commands:
  create [TOKEN]        Create a token (random unless TOKEN, format [a-z0-9]{6}.[a-z0-9]{16}) and print it
  list                  List the tokens
  delete ID|TOKEN ...   Delete tokens
  generate              Print a random token without creating it

Flags:
  -d, --data-dir DIR         The server's data directory (default /var/lib/kts as root, ~/.kts otherwise)
      --kubeconfig FILE      Admin kubeconfig (default <data-dir>/admin.kubeconfig)
      --ttl DURATION         Lifetime of the token, e.g. 24h, 30m; 0 = never expires (default 24h)
      --description TEXT     A human-readable description
      --groups G1,G2         Extra groups the token authenticates with (default ${DEFAULT_EXTRA_GROUP})
      --usages U1,U2         What the token may be used for (default signing,authentication)
      --print-join-command   Print the full kts agent command instead of only the token
`;

type Flags = { 'data-dir'?: string; kubeconfig?: string; ttl?: string; description?: string; groups?: string; usages?: string; 'print-join-command'?: boolean; help?: boolean };

class UsageError extends Error {}

export async function tokenCommand(args: string[]): Promise<number> {
  let flags: Flags;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args, strict: true, allowPositionals: true,
      options: {
        'data-dir': { type: 'string', short: 'd' }, kubeconfig: { type: 'string' }, ttl: { type: 'string' }, description: { type: 'string' },
        groups: { type: 'string' }, usages: { type: 'string' }, 'print-join-command': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
    flags = parsed.values as Flags;
    positionals = parsed.positionals;
  } catch (e) {
    process.stderr.write(`kts token: ${(e as Error).message}\n`);
    return 2;
  }
  const [sub, ...rest] = positionals;
  if (flags.help || !sub) {
    process.stdout.write(HELP);
    return flags.help ? 0 : 2;
  }
  try {
    if (sub === 'generate') {
      process.stdout.write(`${generateToken()}\n`);
      return 0;
    }
    if (!['create', 'list', 'delete'].includes(sub)) throw new UsageError(`unknown command "${sub}"; use create, list, delete or generate`);
    const kubeconfigPath = flags.kubeconfig ?? join(flags['data-dir'] ?? defaultDataDir(), 'admin.kubeconfig');
    let creds;
    try {
      creds = parseKubeconfig(readFileSync(kubeconfigPath, 'utf8'), (p) => readFileSync(p, 'utf8'));
    } catch (e) {
      throw new Error(`cannot read the admin kubeconfig ${kubeconfigPath}: ${(e as Error).message} (pass --data-dir or --kubeconfig)`, { cause: e });
    }
    if (!creds.caPem) throw new Error(`the kubeconfig ${kubeconfigPath} has no certificate-authority(-data)`);
    const client = new RestClient({ server: creds.server, caPem: creds.caPem, certPem: creds.certPem, keyPem: creds.keyPem, token: creds.token, userAgent: 'kts-token' });
    try {
      if (sub === 'create') return await create(client, creds.caPem, creds.server, flags, rest);
      if (sub === 'list') return await list(client);
      return await remove(client, rest);
    } finally {
      client.close();
    }
  } catch (e) {
    process.stderr.write(`kts token: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

const secretsPath = (name?: string) => resourcePath('', 'v1', 'secrets', BOOTSTRAP_TOKEN_NAMESPACE, name);

async function create(client: RestClient, caPem: string, kubeconfigServer: string, flags: Flags, rest: string[]): Promise<number> {
  if (rest.length > 1) throw new UsageError('create takes at most one TOKEN');
  const token = rest[0] ?? generateToken();
  const parsed = parseBootstrapToken(token);
  if (!parsed) throw new UsageError(`the token "${token}" is invalid: it must match [a-z0-9]{6}.[a-z0-9]{16}`);
  const ttlMs = parseGoDuration(flags.ttl ?? '24h');
  if (ttlMs === undefined) throw new UsageError(`--ttl: "${flags.ttl}" is not a duration (e.g. 24h, 30m, 0 for never)`);
  const groups = (flags.groups ?? DEFAULT_EXTRA_GROUP).split(',').map((g) => g.trim()).filter(Boolean);
  for (const g of groups) if (!EXTRA_GROUP_RE.test(g)) throw new UsageError(`--groups: "${g}" must match ${EXTRA_GROUP_RE.source}`);
  const usages = (flags.usages ?? 'signing,authentication').split(',').map((u) => u.trim()).filter(Boolean);
  for (const u of usages) if (u !== 'signing' && u !== 'authentication') throw new UsageError(`--usages: "${u}" is not one of signing, authentication`);
  const data: Record<string, string> = { 'token-id': parsed.id, 'token-secret': parsed.secret };
  if (ttlMs > 0) data.expiration = new Date(Date.now() + ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (flags.description) data.description = flags.description;
  for (const u of usages) data[`usage-bootstrap-${u}`] = 'true';
  if (groups.length) data['auth-extra-groups'] = groups.join(',');
  const secret = {
    apiVersion: 'v1', kind: 'Secret', type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    metadata: { name: tokenSecretName(parsed.id), namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
  try {
    await client.create(secretsPath(), secret);
  } catch (e) {
    if (e instanceof StatusError && e.code === 409) throw new Error(`a token with id "${parsed.id}" already exists`, { cause: e });
    throw e;
  }
  if (!flags['print-join-command']) {
    process.stdout.write(`${token}\n`);
    return 0;
  }
  const server = await advertisedServer(client, kubeconfigServer);
  process.stdout.write(`kts agent --server ${server} --token ${token} --ca-cert-hash ${caCertHash(caPem)}\n`);
  return 0;
}

/** The address agents should use: the kubernetes Service's endpoint (the advertise address), else the kubeconfig's. */
async function advertisedServer(client: RestClient, fallback: string): Promise<string> {
  try {
    const ep = await client.get<{ subsets?: { addresses?: { ip?: string }[]; ports?: { port?: number }[] }[] }>(resourcePath('', 'v1', 'endpoints', 'default', 'kubernetes'));
    const ip = ep.subsets?.[0]?.addresses?.[0]?.ip;
    const port = ep.subsets?.[0]?.ports?.[0]?.port;
    if (ip && port) return `https://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
  } catch {
    // fall back to the kubeconfig's server
  }
  return fallback;
}

async function list(client: RestClient): Promise<number> {
  const secrets = (await client.list<KObject>(secretsPath())).items.filter((s) => s.type === BOOTSTRAP_TOKEN_SECRET_TYPE);
  const rows = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
  const now = Date.now();
  for (const s of secrets) {
    const d = decodeTokenSecret(s.data as Record<string, unknown> | undefined);
    if (!TOKEN_ID_RE.test(d.id)) continue;
    const exp = d.expiration ? Date.parse(d.expiration) : undefined;
    const ttl = exp === undefined ? '<forever>' : Number.isNaN(exp) ? '<invalid>' : shortHumanDuration(exp - now);
    rows.push([`${d.id}.${d.secret}`, ttl, d.expiration || '<never>', d.usages.join(',') || '<none>', d.description || '<none>', d.extraGroups.join(',') || '<none>']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) process.stdout.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('') + '\n');
  return 0;
}

async function remove(client: RestClient, ids: string[]): Promise<number> {
  if (!ids.length) throw new UsageError('delete needs at least one token ID or TOKEN');
  for (const arg of ids) {
    const id = parseBootstrapToken(arg)?.id ?? arg;
    if (!TOKEN_ID_RE.test(id)) throw new UsageError(`"${arg}" is neither a token ID ([a-z0-9]{6}) nor a token`);
    try {
      await client.delete(secretsPath(tokenSecretName(id)));
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) throw new Error(`bootstrap token "${id}" not found`, { cause: e });
      throw e;
    }
    process.stdout.write(`bootstrap token "${id}" deleted\n`);
  }
  return 0;
}
