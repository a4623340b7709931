// Images for containers, as upstream's kubelet image manager: the pull policy (Always,
// IfNotPresent — never contacting a registry when the image is present —, Never), credentials
// from the pod's imagePullSecrets for the image's registry, pull back-off (ErrImagePull, then
// ImagePullBackOff), and the upstream events (Pulling, Pulled, Failed, BackOff, ErrImageNeverPull).
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import type { Logger } from '../../util/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { resourcePath } from '../../client/rest-client.js';
import type { CriClient } from '../cri/client.js';
import type { AuthConfig } from '../cri/types.js';
import { Backoff } from '../backoff.js';
import { ContainerStartError } from '../pod-deps.js';
import type { EventSink, ImageService, PodContainer } from '../pod-deps.js';

/** The registry host of an image reference, as the docker reference grammar splits it. */
export function registryHost(image: string): string {
  const first = image.split('/')[0]!;
  if (image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return 'docker.io';
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/', 'https://index.docker.io/v1']);

function hostOfKey(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

/** Credentials for `image` from dockerconfigjson / dockercfg Secrets (the first that matches). */
export function authFor(image: string, secrets: KObject[]): AuthConfig | undefined {
  const host = registryHost(image);
  for (const s of secrets) {
    const data = (s as { data?: Record<string, string> }).data ?? {};
    let auths: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }> | undefined;
    try {
      if (s.type === 'kubernetes.io/dockerconfigjson' && data['.dockerconfigjson']) auths = (JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString()) as { auths?: typeof auths }).auths;
      else if (s.type === 'kubernetes.io/dockercfg' && data['.dockercfg']) auths = JSON.parse(Buffer.from(data['.dockercfg'], 'base64').toString()) as typeof auths;
    } catch {
      continue;
    }
    for (const [key, a] of Object.entries(auths ?? {})) {
      const h = hostOfKey(key);
      const match = h === host || (DOCKER_HUB.has(host) && (DOCKER_HUB.has(h) || DOCKER_HUB.has(key)));
      if (!match) continue;
      let { username, password } = a;
      if ((!username || !password) && a.auth) {
        const dec = Buffer.from(a.auth, 'base64').toString();
        const i = dec.indexOf(':');
        if (i > 0) [username, password] = [dec.slice(0, i), dec.slice(i + 1)];
      }
      return { username, password, identityToken: a.identitytoken, serverAddress: h };
    }
  }
  return undefined;
}

export class CriImageService implements ImageService {
  private readonly backoff = new Backoff();

  constructor(private readonly cri: CriClient, private readonly client: RestClient, private readonly log: Logger) {}

  async ensure(pod: KObject, ctr: PodContainer, events: EventSink): Promise<string> {
    const image = ctr.image;
    if (!image) throw new ContainerStartError('InvalidImageName', `Failed to apply default image tag "": couldn't parse image name "": invalid reference format`, 'InspectFailed');
    const policy = ctr.imagePullPolicy ?? (/:[^/]+$|@sha256:/.test(image) && !image.endsWith(':latest') ? 'IfNotPresent' : 'Always');
    const present = await this.cri.imageStatus(image).catch(() => null);
    if (policy === 'Never') {
      if (present) return present.id;
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      events('Warning', 'ErrImageNeverPull', msg);
      throw new ContainerStartError('ErrImageNeverPull', msg, 'ErrImageNeverPull');
    }
    if (policy === 'IfNotPresent' && present) {
      events('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return present.id;
    }
    const key = `${pod.metadata.uid}/${image}`;
    if (this.backoff.remaining(key) > 0) {
      const msg = `Back-off pulling image "${image}"`;
      events('Normal', 'BackOff', msg);
      throw new ContainerStartError('ImagePullBackOff', msg, 'BackOff');
    }
    events('Normal', 'Pulling', `Pulling image "${image}"`);
    const started = Date.now();
    try {
      const auth = authFor(image, await this.pullSecrets(pod));
      const ref = await this.cri.pullImage(image, auth);
      const secs = ((Date.now() - started) / 1000).toFixed(3);
      const size = (await this.cri.imageStatus(ref).catch(() => null))?.size ?? '0';
      events('Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${size} bytes.`);
      return ref;
    } catch (e) {
      this.backoff.next(key);
      const msg = `Failed to pull image "${image}": ${(e as Error).message}`;
      this.log.debug(msg);
      events('Warning', 'Failed', msg);
      throw new ContainerStartError('ErrImagePull', msg, 'Failed');
    }
  }

  private async pullSecrets(pod: KObject): Promise<KObject[]> {
    const refs = ((pod.spec as { imagePullSecrets?: { name?: string }[] }).imagePullSecrets ?? []).map((r) => r.name).filter((n): n is string => !!n);
    const out: KObject[] = [];
    for (const name of refs) {
      try {
        out.push(await this.client.get(resourcePath('', 'v1', 'secrets', pod.metadata.namespace, name)));
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
        this.log.warn(`pod ${pod.metadata.namespace}/${pod.metadata.name}: image pull secret "${name}" not found`);
      }
    }
    return out;
  }
}
