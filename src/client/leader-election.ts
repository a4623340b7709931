// Leader election through coordination.k8s.io/v1 Leases, as client-go's leaderelection: the
// holder renews the lease every retry period; others take it over once it has not been renewed
// for leaseDurationSeconds. `run` calls `lead(signal)` while this process leads and aborts that
// signal as soon as leadership is lost.
import { setMaxListeners } from 'node:events';
import { sleep } from '../util/sleep.js';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Logger } from '../util/log.js';
import type { RestClient } from './rest-client.js';
import { resourcePath } from './rest-client.js';

export interface LeaderElectionOptions {
  name: string;
  namespace?: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
}

/**
 * The controller manager's and the scheduler's Lease timings: a 12 s lease renewed every 2 s,
 * given up after 8 s without renewal. A survivor takes over 10–14 s after the leader dies (with
 * upstream's 15/10/2 s it is 13–17 s; the HA control plane promises a new leader within 15 s).
 */
export const CONTROL_PLANE_LEASE = { leaseDurationSeconds: 12, renewDeadlineMs: 8_000, retryPeriodMs: 2_000 };

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

function microNow(): string {
  return new Date().toISOString().replace('Z', '000Z');
}

export async function runLeaderElection(client: RestClient, o: LeaderElectionOptions, lead: (signal: AbortSignal) => Promise<void>, signal: AbortSignal): Promise<void> {
  const ns = o.namespace ?? 'kube-system';
  const duration = o.leaseDurationSeconds ?? 15;
  const renewDeadline = o.renewDeadlineMs ?? 10_000;
  const retry = o.retryPeriodMs ?? 2_000;
  const path = resourcePath('coordination.k8s.io', 'v1', 'leases', ns, o.name);

  /** Tries to acquire or renew; true when we hold the lease afterwards. */
  const tryAcquire = async (): Promise<boolean> => {
    let lease: KObject | undefined;
    try {
      lease = await client.get(path);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
    const now = microNow();
    if (!lease) {
      await client.create(resourcePath('coordination.k8s.io', 'v1', 'leases', ns), {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: o.name, namespace: ns },
        spec: { holderIdentity: o.identity, leaseDurationSeconds: duration, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      });
      return true;
    }
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
    const expired = Date.now() > renewed + (spec.leaseDurationSeconds ?? duration) * 1000;
    const mine = spec.holderIdentity === o.identity;
    if (!mine && !expired && spec.holderIdentity) return false;
    const next: LeaseSpec = { ...spec, holderIdentity: o.identity, leaseDurationSeconds: duration, renewTime: now };
    if (!mine) {
      next.acquireTime = now;
      next.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    }
    await client.update(path, { ...lease, spec: next });
    return true;
  };

  while (!signal.aborted) {
    // Acquire.
    let held = false;
    try {
      held = await tryAcquire();
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) o.log.debug(`leader election ${o.name}: ${(e as Error).message}`);
    }
    if (!held) {
      await sleep(retry, signal);
      continue;
    }
    o.log.info(`became leader for ${o.name} as ${o.identity}`);
    const leading = new AbortController();
    // Every informer, watch and worker of the leader listens on this signal.
    setMaxListeners(0, leading.signal);
    const onStop = () => leading.abort();
    signal.addEventListener('abort', onStop, { once: true });
    const work = lead(leading.signal).catch((e) => o.log.error(`${o.name}: ${(e as Error).message}`));
    // Renew until a renewal misses the deadline or we are stopped.
    let lastRenew = Date.now();
    while (!leading.signal.aborted) {
      await sleep(retry, leading.signal);
      if (leading.signal.aborted) break;
      try {
        if (await tryAcquire()) lastRenew = Date.now();
        else break;
      } catch (e) {
        if (Date.now() - lastRenew > renewDeadline) {
          o.log.warn(`leader election ${o.name}: failed to renew: ${(e as Error).message}`);
          break;
        }
      }
    }
    if (!signal.aborted) o.log.warn(`lost leadership of ${o.name}`);
    leading.abort();
    signal.removeEventListener('abort', onStop);
    await work;
  }
}
