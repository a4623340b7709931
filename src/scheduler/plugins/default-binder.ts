// DefaultBinder: binds through the API as upstream, POST pods/<name>/binding with a Binding
// whose target is the Node.
import type { BindPlugin, Handle } from '../framework.js';
import type { PodInfo } from '../pod-info.js';
import { resourcePath } from '../../client/rest-client.js';
import { SUCCESS, errorStatus, type Status } from '../status.js';

export const DEFAULT_BINDER = 'DefaultBinder';

export class DefaultBinder implements BindPlugin {
  readonly name = DEFAULT_BINDER;
  constructor(private readonly h: Handle) {}
  async bind(pod: PodInfo, nodeName: string): Promise<Status> {
    if (!this.h.client) return errorStatus('no API client');
    const { name, uid } = pod.pod.metadata;
    try {
      await this.h.client.create(resourcePath('', 'v1', 'pods', pod.namespace, name, 'binding'), {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: pod.namespace, uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
      return SUCCESS;
    } catch (e) {
      return errorStatus((e as Error).message);
    }
  }
}
