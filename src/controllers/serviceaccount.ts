// The serviceaccount controller (upstream pkg/controller/serviceaccount): every active namespace
// has a `default` ServiceAccount; it is created when a namespace appears and again if deleted.
// Keys are namespace names.
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import { resourcePath } from '../client/rest-client.js';
import { Controller } from '../client/controller.js';
import type { ControllerContext, ControllerDef } from './context.js';
import { waitForCacheSync } from './util/sync.js';

const ACCOUNTS = ['default'];

export const serviceAccountController: ControllerDef = {
  name: 'serviceaccount',
  async start(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const { client } = ctx;
    const namespaces = ctx.informers.informer('', 'v1', 'namespaces');
    const accounts = ctx.informers.informer('', 'v1', 'serviceaccounts');
    const controller = new Controller({ name: 'serviceaccount', log: ctx.log, workers: 2 }, async (name) => {
      const ns = namespaces.get('', name);
      // Terminating namespaces refuse creates; nothing to do for them.
      if (!ns || ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
      for (const sa of ACCOUNTS) {
        if (accounts.get(name, sa)) continue;
        try {
          await client.create(resourcePath('', 'v1', 'serviceaccounts', name), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: name } });
          ctx.log.debug(`created serviceaccount ${name}/${sa}`);
        } catch (e) {
          if (e instanceof StatusError && e.code === 409) continue;
          // The namespace started terminating between our read and the create.
          if (e instanceof StatusError && e.code === 403 && e.message.includes('being terminated')) return;
          throw e;
        }
      }
    });
    namespaces.addHandler({
      onAdd: (o) => controller.enqueue(o.metadata.name!),
      onUpdate: (_old, o) => controller.enqueue(o.metadata.name!),
    });
    accounts.addHandler({
      onDelete: (o: KObject) => {
        if (ACCOUNTS.includes(o.metadata.name!)) controller.enqueue(o.metadata.namespace!);
      },
    });
    if (!(await waitForCacheSync([namespaces, accounts], signal))) return;
    await controller.run(signal);
  },
};
