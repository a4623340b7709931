// Static pods: Pod manifests in <data-dir>/agent/pod-manifests/ run on this node without the
// scheduler. Each becomes a mirror pod `<name>-<node>` in the API, annotated as upstream's
// kubelet does (kubernetes.io/config.source=file, config.hash, config.mirror), bound to this node
// and owned by the Node; the kubelet then runs it like any pod bound here. An edited manifest
// replaces the pod, a removed one deletes it, and a deleted mirror pod is recreated.
// Unlike upstream, the containers belong to the mirror pod: deleting the mirror pod restarts them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import type { KObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { Logger } from '../util/log.js';
import { sleep } from '../util/sleep.js';
import type { RestClient } from '../client/rest-client.js';
import { resourcePath } from '../client/rest-client.js';
import type { Informer } from '../client/informer.js';

export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const SOURCE_ANNOTATION = 'kubernetes.io/config.source';
const HASH_ANNOTATION = 'kubernetes.io/config.hash';

export interface StaticPod {
  file: string;
  pod: KObject;
  hash: string;
}

/** Parses one manifest file into the mirror pod it stands for; throws with a message naming the file. */
export function staticPodFromManifest(file: string, text: string, nodeName: string, nodeUid?: string): StaticPod {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`${file}: invalid YAML: ${(e as Error).message}`, { cause: e });
  }
  const obj = doc as KObject | null;
  if (!obj || typeof obj !== 'object' || obj.kind !== 'Pod' || obj.apiVersion !== 'v1') throw new Error(`${file}: a static pod manifest must be a single v1 Pod`);
  if (!obj.metadata?.name) throw new Error(`${file}: metadata.name is required`);
  const hash = createHash('sha256').update(nodeName).update('\0').update(text).digest('hex').slice(0, 32);
  const annotations = { ...(obj.metadata.annotations ?? {}), [SOURCE_ANNOTATION]: 'file', [HASH_ANNOTATION]: hash, [MIRROR_ANNOTATION]: hash };
  const pod: KObject = {
    ...obj,
    metadata: {
      ...obj.metadata,
      name: `${obj.metadata.name}-${nodeName}`,
      namespace: obj.metadata.namespace ?? 'default',
      annotations,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid, controller: true }] } : {}),
    },
    spec: { ...(obj.spec as object), nodeName },
  };
  delete pod.status;
  return { file, pod, hash };
}

export class StaticPods {
  private readonly reported = new Map<string, string>();

  constructor(
    private readonly client: RestClient,
    private readonly dir: string,
    private readonly nodeName: string,
    private readonly pods: Informer,
    private readonly nodeUid: () => string | undefined,
    private readonly log: Logger,
  ) {}

  private read(): StaticPod[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => /\.(ya?ml|json)$/.test(n) && !n.startsWith('.')).sort();
    } catch {
      return [];
    }
    const out: StaticPod[] = [];
    for (const n of names) {
      const file = join(this.dir, n);
      try {
        if (!statSync(file).isFile()) continue;
        const text = readFileSync(file, 'utf8');
        out.push(staticPodFromManifest(file, text, this.nodeName, this.nodeUid()));
        this.reported.delete(file);
      } catch (e) {
        const msg = (e as Error).message;
        if (this.reported.get(file) !== msg) this.log.error(`static pod ${msg}`);
        this.reported.set(file, msg);
      }
    }
    return out;
  }

  /** One reconcile pass: mirror pods for the manifests present, none for the others. */
  async sync(): Promise<void> {
    const want = new Map(this.read().map((s) => [`${s.pod.metadata.namespace}/${s.pod.metadata.name}`, s]));
    const mirrors = this.pods.list().filter((p) => p.metadata.annotations?.[MIRROR_ANNOTATION]);
    for (const m of mirrors) {
      const key = `${m.metadata.namespace}/${m.metadata.name}`;
      const w = want.get(key);
      if (w && m.metadata.annotations?.[MIRROR_ANNOTATION] === w.hash) {
        want.delete(key);
        continue;
      }
      if (m.metadata.deletionTimestamp) {
        want.delete(key);
        continue;
      }
      this.log.info(`static pod ${key}: ${w ? 'manifest changed, replacing the pod' : 'manifest removed, deleting the pod'}`);
      await this.client.delete(resourcePath('', 'v1', 'pods', m.metadata.namespace, m.metadata.name)).catch(() => undefined);
      want.delete(key);
    }
    for (const [key, s] of want) {
      try {
        await this.client.create(resourcePath('', 'v1', 'pods', s.pod.metadata.namespace), s.pod);
        this.log.info(`static pod ${key} created from ${s.file}`);
      } catch (e) {
        if (e instanceof StatusError && e.code === 409) continue;
        const msg = (e as Error).message;
        if (this.reported.get(s.file) !== msg) this.log.error(`static pod ${key} from ${s.file}: ${msg}`);
        this.reported.set(s.file, msg);
      }
    }
  }

  async run(signal: AbortSignal, periodMs = 5000): Promise<void> {
    await Promise.race([this.pods.waitForSync(), sleep(2 ** 31 - 1, signal)]);
    while (!signal.aborted) {
      await this.sync().catch((e) => this.log.warn(`static pods: ${(e as Error).message}`));
      await sleep(periodMs, signal);
    }
  }
}
