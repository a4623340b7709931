// Renewing a certificate before it expires, as the kubelet's certificate manager: at a random
// point between 70 % and 90 % of its lifetime, request a new one (a new key and CSR), store it and
// start using it; a failed attempt is retried after a back-off, never later than the expiry allows.
import { X509Certificate } from 'node:crypto';
import type { Logger } from '../util/log.js';
import { sleep } from '../util/sleep.js';

export interface CertPair { certPem: string; keyPem: string }

/** When to renew `certPem`: notBefore + (70–90 %) of its lifetime, as milliseconds from `now`. */
export function renewalDelayMs(certPem: string, now = Date.now(), rand = Math.random()): number {
  const x = new X509Certificate(certPem);
  const from = Date.parse(x.validFrom);
  const to = Date.parse(x.validTo);
  return Math.max(0, from + (to - from) * (0.7 + 0.2 * rand) - now);
}

export interface RotationOptions {
  /** What is rotated, for the log ("kubelet client certificate"). */
  what: string;
  current: CertPair;
  /** Gets a new certificate (a CSR through the API). */
  renew(): Promise<CertPair>;
  /** Stores and starts using the new certificate. */
  apply(pair: CertPair): Promise<void>;
  log: Logger;
  /** Back-off after a failed renewal (default 30 s, doubling to 5 min). */
  retryMs?: number;
}

/** Runs until `signal` aborts. */
export async function runRotation(o: RotationOptions, signal: AbortSignal): Promise<void> {
  let current = o.current;
  let backoff = o.retryMs ?? 30_000;
  let delay = renewalDelayMs(current.certPem);
  while (!signal.aborted) {
    // setTimeout cannot wait longer than ~24.8 days; long waits are taken in steps.
    const step = Math.min(delay, 2 ** 31 - 1);
    await sleep(step, signal);
    if (signal.aborted) return;
    if (step < delay) {
      delay -= step;
      continue;
    }
    try {
      const next = await o.renew();
      await o.apply(next);
      current = next;
      backoff = o.retryMs ?? 30_000;
      delay = renewalDelayMs(current.certPem);
      o.log.info(`${o.what} renewed; valid until ${new Date(new X509Certificate(current.certPem).validTo).toISOString()}, next renewal in ${Math.round(delay / 1000)} s`);
    } catch (e) {
      if (signal.aborted) return;
      o.log.warn(`renewing the ${o.what} failed (retrying in ${Math.round(backoff / 1000)} s): ${(e as Error).message}`);
      delay = backoff;
      backoff = Math.min(backoff * 2, 300_000);
    }
  }
}
