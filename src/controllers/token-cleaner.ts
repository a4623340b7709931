// The bootstrap token cleaner (kube-controller-manager's "tokencleaner"): deletes bootstrap token
// Secrets (kube-system, type bootstrap.kubernetes.io/token) once their expiration has passed,
// waking up exactly when the next one expires. Deletes carry a UID precondition, so a token
// re-created under the same name in the meantime is not removed.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { Informer } from '../client/informer.js';
import { Controller } from '../client/controller.js';
import { resourcePath } from '../client/rest-client.js';
import { BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_TYPE, decodeTokenSecret } from '../util/bootstrap-token.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { waitForCacheSync } from './util/sync.js';

/** Milliseconds until `secret` should be deleted (<= 0: now), or undefined if it never expires or is no token. */
export function tokenExpiresInMs(secret: KObject, now: number): number | undefined {
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || secret.metadata.deletionTimestamp) return undefined;
  const { expiration } = decodeTokenSecret(secret.data as Record<string, unknown> | undefined);
  if (!expiration) return undefined;
  const t = Date.parse(expiration);
  // An unparsable expiration is treated as expired (the authenticator refuses it too).
  return Number.isNaN(t) ? 0 : t - now;
}

export function createTokenCleanerController(now: () => number = Date.now): ControllerDef {
  return {
    name: 'tokencleaner',
    async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const { client } = ctx;
      const secrets = new Informer<KObject>(client, { group: '', version: 'v1', resource: 'secrets', namespace: BOOTSTRAP_TOKEN_NAMESPACE, resyncMs: 0, onError: (m) => ctx.log.debug(m) });
      const controller = new Controller({ name: 'tokencleaner', log: ctx.log, workers: 1 }, async (name) => {
        const secret = secrets.get(BOOTSTRAP_TOKEN_NAMESPACE, name);
        if (!secret) return;
        const left = tokenExpiresInMs(secret, now());
        if (left === undefined) return;
        if (left > 0) return { requeueAfterMs: Math.min(left + 50, 2 ** 31 - 1) };
        ctx.log.info(`deleting expired bootstrap token ${BOOTSTRAP_TOKEN_NAMESPACE}/${name}`);
        try {
          await client.delete(resourcePath('', 'v1', 'secrets', BOOTSTRAP_TOKEN_NAMESPACE, name), { preconditions: { uid: secret.metadata.uid } });
        } catch (e) {
          if (e instanceof StatusError && (e.code === 404 || e.code === 409)) return;
          throw e;
        }
      });
      const enqueue = (o: KObject) => {
        if (o.type === BOOTSTRAP_TOKEN_SECRET_TYPE) controller.enqueue(o.metadata.name!);
      };
      secrets.addHandler({ onAdd: enqueue, onUpdate: (_o, o) => enqueue(o) });
      const running = secrets.run(signal);
      if (!(await waitForCacheSync([secrets], signal))) return;
      await Promise.all([controller.run(signal), running]);
    },
  };
}

export const tokenCleanerController = createTokenCleanerController();
