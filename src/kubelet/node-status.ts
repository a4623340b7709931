// The real node as the API sees it: capacity and allocatable from this machine, addresses,
// nodeInfo, and the four kubelet conditions computed from the runtime's health and the
// eviction signals. Pure builders plus the machine probes they need.
import { cpus, totalmem, freemem, release, hostname } from 'node:os';
import { readFileSync, statfsSync } from 'node:fs';
import type { KObject } from '../api/types.js';
import type { KubeletConfig } from './config.js';

export interface NodeCondition { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; lastHeartbeatTime: string; lastTransitionTime: string }
export interface Health {
  runtimeReady: boolean;
  networkReady: boolean;
  runtimeMessage: string;
  memoryPressure: boolean;
  diskPressure: boolean;
  runtimeVersion: string;
}

export const nowRfc3339 = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function readOr(path: string, dflt: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return dflt;
  }
}

export function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readOr('/etc/os-release', ''));
  return m?.[1] ?? 'Linux';
}

/** Bytes of the filesystem holding `path`: total and available. */
export function fsBytes(path: string): { capacity: number; available: number } {
  try {
    const s = statfsSync(path);
    return { capacity: s.blocks * s.bsize, available: s.bavail * s.bsize };
  } catch {
    return { capacity: 0, available: 0 };
  }
}

/** MemAvailable from /proc/meminfo (free memory when it is missing). */
export function memoryAvailableBytes(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readOr('/proc/meminfo', ''));
  return m ? Number(m[1]) * 1024 : freemem();
}

export function resources(cfg: KubeletConfig): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const mem = totalmem();
  const disk = fsBytes(cfg.rootDir);
  const capacity = { cpu: String(cpus().length), memory: `${Math.floor(mem / 1024)}Ki`, pods: String(cfg.maxPods), 'ephemeral-storage': `${Math.floor(disk.capacity / 1024)}Ki` };
  // Allocatable = capacity minus the hard eviction thresholds, as upstream computes it.
  const allocMem = Math.max(0, mem - cfg.evictionHard.memoryAvailableBytes);
  const allocDisk = Math.floor(disk.capacity * (1 - cfg.evictionHard.nodefsAvailableFraction));
  return { capacity, allocatable: { ...capacity, memory: `${Math.floor(allocMem / 1024)}Ki`, 'ephemeral-storage': String(allocDisk) } };
}

export function conditions(h: Health, old: KObject | undefined): NodeCondition[] {
  const now = nowRfc3339();
  const prev = new Map((((old?.status as { conditions?: NodeCondition[] } | undefined)?.conditions) ?? []).map((c) => [c.type, c]));
  const c = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const p = prev.get(type);
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: p && p.status === status ? p.lastTransitionTime : now };
  };
  const ready = h.runtimeReady && h.networkReady;
  return [
    h.memoryPressure ? c('MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available') : c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    h.diskPressure ? c('DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure') : c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready ? c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status') : c('Ready', 'False', 'KubeletNotReady', h.runtimeMessage || 'container runtime is not ready'),
  ];
}

export function nodeStatus(cfg: KubeletConfig, h: Health, old: KObject | undefined, images: { names: string[]; sizeBytes: number }[]): Record<string, unknown> {
  return {
    ...resources(cfg),
    conditions: conditions(h, old),
    addresses: [
      { type: 'InternalIP', address: cfg.nodeIp },
      { type: 'Hostname', address: hostname() },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort } },
    nodeInfo: {
      machineID: readOr('/etc/machine-id', ''),
      systemUUID: readOr('/sys/class/dmi/id/product_uuid', ''),
      bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
      kernelVersion: release(),
      osImage: osImage(),
      containerRuntimeVersion: h.runtimeVersion,
      kubeletVersion: cfg.version,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
    images: images.slice(0, 50),
  };
}

export function nodeObject(cfg: KubeletConfig, h: Health): KObject {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: cfg.nodeName,
      labels: {
        'beta.kubernetes.io/arch': arch,
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arch,
        'kubernetes.io/hostname': cfg.nodeName,
        'kubernetes.io/os': 'linux',
        ...cfg.labels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: cfg.taints.length ? { taints: cfg.taints.map((t) => ({ ...t })) } : {},
    status: nodeStatus(cfg, h, undefined, []),
  };
}
