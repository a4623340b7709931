// ImageLocality: prefers nodes that already have the pod's images, weighted by image size and by
// how widely the image is spread (so one node with a cached image does not attract everything).
import { MAX_NODE_SCORE, type CycleState, type Handle, type PreScorePlugin, type ScorePlugin } from '../framework.js';
import { normalizeImage, type NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { SKIP, SUCCESS, type Status } from '../status.js';

export const IMAGE_LOCALITY = 'ImageLocality';
const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

export function imageLocalityScore(images: readonly string[], node: NodeInfo, nodesWithImage: (img: string) => number, totalNodes: number): number {
  let sum = 0;
  for (const img of images) {
    const size = node.imageSizes.get(img);
    if (size === undefined) continue;
    sum += Math.trunc(size * (nodesWithImage(img) / totalNodes));
  }
  const max = MAX_CONTAINER_THRESHOLD * images.length;
  sum = Math.min(Math.max(sum, MIN_THRESHOLD), max);
  return Math.trunc((MAX_NODE_SCORE * (sum - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = IMAGE_LOCALITY;
  constructor(private readonly h: Handle) {}
  preScore(state: CycleState, pod: PodInfo): Status {
    if (this.h.cache.imageCount === 0) return SKIP;
    const spec = pod.pod.spec;
    state.write('PreScoreImageLocality', [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => normalizeImage(c.image ?? '')));
    return SUCCESS;
  }
  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const images = state.read<string[]>('PreScoreImageLocality') ?? [];
    if (images.length === 0) return 0;
    return imageLocalityScore(images, node, (img) => this.h.cache.nodesWithImage(img), this.h.cache.nodeCount);
  }
}
