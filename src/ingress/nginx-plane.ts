// The nginx data plane: after any change in the cache (Ingresses, classes, Services,
// EndpointSlices, Secrets) it renders the configuration (nginx-config.ts), writes the TLS
// Secrets' certificates it names to files (0600), and hands the result to nginx (nginx-process.ts),
// which reloads only when the text changed. Changes are batched over a short delay.
import { createSecureContext } from 'node:tls';
import { createHash } from 'node:crypto';
import { mkdir, writeFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cpus } from 'node:os';
import type { KObject } from '../api/types.js';
import type { Logger } from '../util/log.js';
import type { Ingress, IngressBackend } from './match.js';
import { renderNginxConfig } from './nginx-config.js';
import type { BackendResolution } from './nginx-config.js';
import { NginxProcess } from './nginx-process.js';
import { secretForServerName } from './tls-select.js';
import type { SecretRef } from './tls-select.js';

type Secret = KObject & { type?: string; data?: Record<string, string> };

export interface NginxPlaneOptions {
  binary: string;
  dir: string;
  bindAddress: string;
  httpPort: number;
  httpsPort: number;
  defaultCert: { certPem: string; keyPem: string };
  /** The served Ingresses, oldest first. */
  served(): Ingress[];
  resolve(ing: Ingress, backend: IngressBackend): BackendResolution;
  secret(ref: SecretRef): Secret | undefined;
  log: Logger;
  /** Batching delay for changes (ms). */
  delayMs?: number;
}

export interface NginxPlane {
  /** Something in the cache changed: re-render soon. */
  changed(): void;
  /** Renders and applies now (tests, start-up after the caches synced). */
  sync(): Promise<void>;
  done: Promise<void>;
}

export async function startNginxPlane(o: NginxPlaneOptions, signal: AbortSignal): Promise<NginxPlane> {
  const certDir = join(o.dir, 'certs');
  await mkdir(certDir, { recursive: true, mode: 0o700 });
  const defaultCertPath = join(certDir, 'default.pem');
  await writeFile(defaultCertPath, o.defaultCert.certPem + o.defaultCert.keyPem, { mode: 0o600 });
  const written = new Map<string, string>(); // file → content hash
  const warned = new Set<string>();

  /** The file for a Secret's certificate+key, written when new or changed; undefined if unusable. */
  const certFile = async (ref: SecretRef): Promise<string | undefined> => {
    const s = o.secret(ref);
    const crt = s?.data?.['tls.crt'];
    const key = s?.data?.['tls.key'];
    const id = `${ref.namespace}/${ref.name}`;
    const bad = (why: string) => {
      const msg = `TLS: secret ${id} ${why}; serving the default certificate`;
      if (!warned.has(msg)) o.log.warn(msg);
      warned.add(msg);
      return undefined;
    };
    if (!s || !crt || !key) return bad('is missing or has no tls.crt/tls.key');
    const pem = Buffer.from(crt, 'base64').toString('utf8').trimEnd() + '\n' + Buffer.from(key, 'base64').toString('utf8').trimEnd() + '\n';
    try {
      createSecureContext({ cert: pem, key: pem });
    } catch (e) {
      return bad(`does not hold a usable certificate and key (${(e as Error).message})`);
    }
    const file = join(certDir, `${ref.namespace}_${ref.name}.pem`);
    const hash = createHash('sha256').update(pem).digest('hex');
    if (written.get(file) !== hash) {
      await writeFile(file, pem, { mode: 0o600 });
      written.set(file, hash);
    }
    return file;
  };

  const render = async (): Promise<string> => {
    const served = o.served();
    // Every Secret any served Ingress names for TLS, resolved to a file first (async), so the
    // renderer itself stays synchronous and pure.
    const files = new Map<string, string | undefined>();
    for (const ing of served) {
      for (const t of ing.spec?.tls ?? []) {
        if (!t.secretName) continue;
        const ref = { namespace: ing.metadata.namespace ?? 'default', name: t.secretName };
        const id = `${ref.namespace}/${ref.name}`;
        if (!files.has(id)) files.set(id, await certFile(ref));
      }
    }
    for (const f of await readdir(certDir)) {
      const p = join(certDir, f);
      if (p !== defaultCertPath && ![...files.values()].includes(p)) {
        await rm(p, { force: true });
        written.delete(p);
      }
    }
    const { config, skipped } = renderNginxConfig({
      ingresses: served,
      resolve: o.resolve,
      certFor: (name) => {
        const ref = secretForServerName(served, name);
        return ref ? files.get(`${ref.namespace}/${ref.name}`) : undefined;
      },
      defaultCertPath,
      bindAddress: o.bindAddress,
      httpPort: o.httpPort,
      httpsPort: o.httpsPort,
      dir: o.dir,
      workers: Math.max(1, Math.min(4, cpus().length)),
    });
    for (const s of skipped) {
      if (!warned.has(s)) o.log.warn(`ingress skipped: ${s}`);
      warned.add(s);
    }
    return config;
  };

  const nginx = await NginxProcess.start({ binary: o.binary, dir: o.dir, probePort: o.httpPort, log: o.log }, await render(), signal);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const sync = (): Promise<void> => {
    running = running.then(async () => {
      if (signal.aborted) return;
      try {
        await nginx.apply(await render());
      } catch (e) {
        o.log.error(`ingress: updating nginx: ${(e as Error).message}`);
      }
    });
    return running;
  };
  const changed = () => {
    if (timer || signal.aborted) return;
    timer = setTimeout(() => {
      timer = undefined;
      void sync();
    }, o.delayMs ?? 100);
  };
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  return { changed, sync, done: nginx.done };
}
