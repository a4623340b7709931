// Builds an OCI image archive (the layout `ctr images import` and `kts image import` read) from a
// root filesystem folder, with nothing but the system tar and node's zlib: one deterministic
// layer (sorted, owner 0, mtime 0), its config, manifest, index.json naming the image, oci-layout.
// The same inputs give the same bytes, so image IDs are stable across builds.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);

export interface ImageConfig {
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

export interface BuildArchiveOptions {
  /** Full reference, e.g. registry.k8s.io/pause:3.10 (recorded as io.containerd.image.name). */
  ref: string;
  /** Folder whose content becomes the image's only layer. */
  rootfs: string;
  config: ImageConfig;
  /** Path of the archive to write. */
  out: string;
  /** OCI architecture (default: this machine's). */
  arch?: string;
}

export interface BuiltArchive {
  path: string;
  manifestDigest: string;
  /** The image ID CRI reports. */
  configDigest: string;
  layerDiffId: string;
}

const TAR_FLAGS = ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--format=gnu'];

export function ociArch(nodeArch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  const a = map[nodeArch];
  if (!a) throw new Error(`no OCI architecture for ${nodeArch}`);
  return a;
}

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The tag part of a reference (after the last ':' not inside the host), "latest" when absent. */
export function refTag(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(colon + 1) : 'latest';
}

/** A deterministic tar of a folder's content (entries relative to it). */
export async function tarFolder(dir: string, out: string): Promise<void> {
  const entries = (await readdir(dir)).sort();
  if (!entries.length) throw new Error(`${dir} is empty: an image layer needs at least one file`);
  await run('tar', [...TAR_FLAGS, '-C', dir, '-cf', out, '--', ...entries]);
}

export async function buildOciArchive(o: BuildArchiveOptions): Promise<BuiltArchive> {
  await mkdir(dirname(o.out), { recursive: true });
  const stage = await mkdtemp(join(dirname(o.out), `.${basename(o.out)}.`));
  try {
    const blobs = join(stage, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const putBlob = async (data: Buffer | string): Promise<{ digest: string; size: number }> => {
      const digest = sha256(data);
      await writeFile(join(blobs, digest.slice(7)), data);
      return { digest, size: Buffer.byteLength(data) };
    };

    const layerTar = join(stage, 'layer.tar');
    await tarFolder(o.rootfs, layerTar);
    const raw = await readFile(layerTar);
    await rm(layerTar);
    const layerDiffId = sha256(raw);
    const layer = await putBlob(gzipSync(raw, { level: 9 }));

    const config = JSON.stringify({
      architecture: o.arch ?? ociArch(),
      os: 'linux',
      config: o.config,
      rootfs: { type: 'layers', diff_ids: [layerDiffId] },
      history: [{ created_by: 'kts image builder' }],
    });
    const cfg = await putBlob(config);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    });
    const man = await putBlob(manifest);
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...man,
          // Without io.containerd.image.name, ctr names the image import-<date>:<tag>.
          annotations: { 'io.containerd.image.name': o.ref, 'org.opencontainers.image.ref.name': refTag(o.ref) },
        },
      ],
    };
    await writeFile(join(stage, 'index.json'), JSON.stringify(index));
    await writeFile(join(stage, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await tarFolder(stage, o.out);
    return { path: o.out, manifestDigest: man.digest, configDigest: cfg.digest, layerDiffId };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
