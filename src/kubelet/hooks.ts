// Lifecycle hooks for the pod sync loop: postStart and preStop through spec/lifecycle, with
// upstream's events (the message is left out of them: it may hold secrets).
import type { KObject } from '../api/types.js';
import type { EventRecorder } from '../client/events.js';
import type { CriClient } from './cri/client.js';
import type { HookService, PodContainer } from './pod-deps.js';
import { runPostStart, runPreStop } from './spec/lifecycle.js';
import type { Container, Pod } from './spec/types.js';

export class Hooks implements HookService {
  constructor(private readonly cri: CriClient, private readonly events: EventRecorder, private readonly kubeVersion: string) {}

  async run(kind: 'postStart' | 'preStop', pod: KObject, container: PodContainer, info: { id: string; podIP?: string }, timeoutMs: number): Promise<string | undefined> {
    const ctx = { pod: pod as Pod, container: container as unknown as Container, containerId: info.id, podIP: info.podIP ?? '', cri: this.cri, kubeVersion: this.kubeVersion, onEvent: (e: { type: 'Warning'; reason: string; message: string }) => this.events.event(pod, e.type, e.reason, e.message) };
    if (kind === 'postStart') {
      const r = await runPostStart(ctx);
      return r.ok ? undefined : r.error;
    }
    const r = await runPreStop(ctx, Math.ceil(timeoutMs / 1000));
    return r.message ? `PreStopHook failed: ${r.message}` : undefined;
  }
}
