// registries.yaml (k3s's format) → containerd 1.6 registry configuration: one hosts.toml per
// registry under the `config_path` folder (mirrors and TLS), and credentials per host for the
// CRI plugin's `registry.configs.<host>.auth` table (hosts.toml has no auth in 1.6).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RegistryAuth } from './config.js';
import { tomlString } from './config.js';

export interface RegistryTls {
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  insecure_skip_verify?: boolean;
}

export interface RegistriesConfig {
  mirrors: Record<string, { endpoint: string[] }>;
  configs: Record<string, { auth?: RegistryAuth; tls?: RegistryTls }>;
}

export class RegistriesError extends Error {}

const AUTH_KEYS = ['username', 'password', 'auth', 'identitytoken'];
const TLS_KEYS = ['ca_file', 'cert_file', 'key_file', 'insecure_skip_verify'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(where: string, v: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw new RegistriesError(`registries.yaml: ${where}: unknown field "${k}" (supported: ${allowed.join(', ')})`);
  }
}

/** Parses and validates registries.yaml text. Empty text is an empty configuration. */
export function parseRegistries(text: string): RegistriesConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new RegistriesError(`registries.yaml: ${(e as Error).message}`);
  }
  const out: RegistriesConfig = { mirrors: {}, configs: {} };
  if (doc === null || doc === undefined) return out;
  if (!isObject(doc)) throw new RegistriesError('registries.yaml: expected a mapping with "mirrors" and/or "configs"');
  checkKeys('top level', doc, ['mirrors', 'configs']);
  const mirrors = doc.mirrors ?? {};
  if (!isObject(mirrors)) throw new RegistriesError('registries.yaml: mirrors must be a mapping of registry names');
  for (const [name, m] of Object.entries(mirrors)) {
    if (!isObject(m)) throw new RegistriesError(`registries.yaml: mirrors.${name} must be a mapping`);
    if (m.rewrite !== undefined) {
      throw new RegistriesError(`registries.yaml: mirrors.${name}.rewrite is not supported: containerd 1.6's registry hosts cannot rewrite repository names`);
    }
    checkKeys(`mirrors.${name}`, m, ['endpoint']);
    const endpoints = m.endpoint ?? [];
    if (!Array.isArray(endpoints) || endpoints.some((e) => typeof e !== 'string')) throw new RegistriesError(`registries.yaml: mirrors.${name}.endpoint must be a list of URLs`);
    out.mirrors[name] = { endpoint: endpoints.map((e: string) => normalizeEndpoint(e, `mirrors.${name}.endpoint`)) };
  }
  const configs = doc.configs ?? {};
  if (!isObject(configs)) throw new RegistriesError('registries.yaml: configs must be a mapping of registry hosts');
  for (const [host, c] of Object.entries(configs)) {
    if (!isObject(c)) throw new RegistriesError(`registries.yaml: configs.${host} must be a mapping`);
    checkKeys(`configs.${host}`, c, ['auth', 'tls']);
    const entry: { auth?: RegistryAuth; tls?: RegistryTls } = {};
    if (c.auth !== undefined) {
      if (!isObject(c.auth)) throw new RegistriesError(`registries.yaml: configs.${host}.auth must be a mapping`);
      checkKeys(`configs.${host}.auth`, c.auth, AUTH_KEYS);
      for (const [k, v] of Object.entries(c.auth)) if (typeof v !== 'string') throw new RegistriesError(`registries.yaml: configs.${host}.auth.${k} must be a string`);
      entry.auth = c.auth as RegistryAuth;
    }
    if (c.tls !== undefined) {
      if (!isObject(c.tls)) throw new RegistriesError(`registries.yaml: configs.${host}.tls must be a mapping`);
      checkKeys(`configs.${host}.tls`, c.tls, TLS_KEYS);
      const t = c.tls;
      if (t.insecure_skip_verify !== undefined && typeof t.insecure_skip_verify !== 'boolean') throw new RegistriesError(`registries.yaml: configs.${host}.tls.insecure_skip_verify must be true or false`);
      for (const k of ['ca_file', 'cert_file', 'key_file']) if (t[k] !== undefined && typeof t[k] !== 'string') throw new RegistriesError(`registries.yaml: configs.${host}.tls.${k} must be a path`);
      if (!!t.cert_file !== !!t.key_file) throw new RegistriesError(`registries.yaml: configs.${host}.tls: cert_file and key_file go together`);
      entry.tls = t as RegistryTls;
    }
    out.configs[host] = entry;
  }
  return out;
}

/** An endpoint URL with a scheme (https when none is given, as k3s does). */
function normalizeEndpoint(e: string, where: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(e) ? e : `https://${e}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new RegistriesError(`registries.yaml: ${where}: "${e}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RegistriesError(`registries.yaml: ${where}: "${e}" must be http or https`);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** The upstream server of a registry name, as containerd would contact it without mirrors. */
function upstream(name: string): string {
  return name === 'docker.io' ? 'https://registry-1.docker.io' : `https://${name}`;
}

/** Folder name of a registry under config_path; "*" (every registry) is containerd's `_default`. */
function hostDir(name: string): string {
  return name === '*' ? '_default' : name;
}

function tlsLines(tls: RegistryTls | undefined): string[] {
  if (!tls) return [];
  const out: string[] = [];
  if (tls.insecure_skip_verify) out.push('  skip_verify = true');
  if (tls.ca_file) out.push(`  ca = ${tomlString(tls.ca_file)}`);
  if (tls.cert_file && tls.key_file) out.push(`  client = [[${tomlString(tls.cert_file)}, ${tomlString(tls.key_file)}]]`);
  return out;
}

/** hosts.toml text per registry folder name. */
export function renderHostsFiles(cfg: RegistriesConfig): Map<string, string> {
  const files = new Map<string, string>();
  const names = new Set([...Object.keys(cfg.mirrors), ...Object.keys(cfg.configs)]);
  for (const name of [...names].sort()) {
    const lines = ['# Generated by kts from registries.yaml.'];
    if (name !== '*') lines.push(`server = ${tomlString(upstream(name))}`);
    // TLS settings of the registry itself apply to its upstream server.
    const own = tlsLines(cfg.configs[name]?.tls);
    if (own.length && name !== '*') lines.push(...own.map((l) => l.trim()));
    const endpoints = cfg.mirrors[name]?.endpoint ?? [];
    if (!endpoints.length) {
      // containerd 1.6 rejects a hosts.toml without any [host] table ("invalid `host` tree") and
      // falls back to its defaults (plain HTTP for localhost): name the upstream explicitly.
      if (!own.length || name === '*') continue;
      lines.push('', `[host.${tomlString(upstream(name))}]`, '  capabilities = ["pull", "resolve"]', ...own);
    }
    for (const ep of endpoints) {
      const u = new URL(ep);
      lines.push('', `[host.${tomlString(ep)}]`, '  capabilities = ["pull", "resolve"]');
      // A path ending in /v2 is the API root itself; otherwise containerd appends /v2.
      if (/\/v2$/.test(u.pathname)) lines.push('  override_path = true');
      lines.push(...tlsLines(cfg.configs[u.host]?.tls));
    }
    files.set(hostDir(name), lines.join('\n') + '\n');
  }
  return files;
}

/** Credentials per host for the containerd config. */
export function registryAuth(cfg: RegistriesConfig): Record<string, RegistryAuth> {
  const out: Record<string, RegistryAuth> = {};
  for (const [host, c] of Object.entries(cfg.configs)) if (c.auth) out[host] = c.auth;
  return out;
}

/**
 * Reads registries.yaml (absent = no settings), rewrites the hosts.toml folder from scratch and
 * returns the credentials for the containerd config.
 */
export async function applyRegistries(file: string, certsDir: string): Promise<Record<string, RegistryAuth>> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const cfg = parseRegistries(text);
  await rm(certsDir, { recursive: true, force: true });
  await mkdir(certsDir, { recursive: true });
  for (const [dir, body] of renderHostsFiles(cfg)) {
    await mkdir(join(certsDir, dir), { recursive: true });
    await writeFile(join(certsDir, dir, 'hosts.toml'), body);
  }
  return registryAuth(cfg);
}
