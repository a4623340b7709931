// GET /containerLogs/{namespace}/{pod}/{container}: the container's CRI log file as plain text,
// with the options the API server forwards (follow, previous, timestamps, sinceSeconds, sinceTime,
// tailLines, limitBytes). A follower stops when the client goes away or the server stops.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../../api/errors.js';
import type { StreamingBackend } from './backend.js';
import { readLogs } from '../logs/log-reader.js';
import type { LogReadOptions } from '../logs/log-reader.js';

function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1' || v === 'True' || v === 'TRUE' || v === 't' || v === 'T';
}

function int(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw badRequest(`${name}: invalid value "${v}"`);
  return n;
}

export function logReadOptions(q: URLSearchParams, now = Date.now()): LogReadOptions {
  const sinceSeconds = int(q, 'sinceSeconds', 1);
  const sinceTime = q.get('sinceTime');
  let sinceMs: number | undefined;
  if (sinceTime) {
    sinceMs = Date.parse(sinceTime);
    if (Number.isNaN(sinceMs)) throw badRequest(`sinceTime: invalid value "${sinceTime}"`);
  } else if (sinceSeconds !== undefined) sinceMs = now - sinceSeconds * 1000;
  return { follow: bool(q, 'follow'), timestamps: bool(q, 'timestamps'), tailLines: int(q, 'tailLines', 0), limitBytes: int(q, 'limitBytes', 1), sinceMs };
}

export async function serveContainerLogs(req: IncomingMessage, res: ServerResponse, namespace: string, pod: string, container: string, q: URLSearchParams, backend: StreamingBackend, serverSignal: AbortSignal): Promise<void> {
  const opts = logReadOptions(q);
  const c = await backend.container(namespace, pod, container);
  let path = c.logPath;
  if (bool(q, 'previous')) {
    if (!c.previousLogPath) throw badRequest(`previous terminated container "${container}" in pod "${pod}" not found`);
    path = c.previousLogPath;
  }
  const ac = new AbortController();
  const stop = () => ac.abort();
  serverSignal.addEventListener('abort', stop, { once: true });
  res.on('close', stop);
  const following = opts.follow && !bool(q, 'previous');
  try {
    // Open (and fail) before the 200 goes out, so a missing file is a clean error.
    let started = false;
    const sink = {
      write: (b: Buffer) => {
        if (!started) start();
        return res.write(b);
      },
      drained: () => new Promise<void>((r) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          r();
        };
        res.once('drain', done);
        res.once('close', done);
      }),
    };
    const start = () => {
      started = true;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
    };
    const reading = readLogs(path, { ...opts, follow: following }, sink, () => backend.isRunning(c.containerId), ac.signal);
    // A follower with nothing to say yet still answers at once, so the client knows it is connected.
    if (following) setImmediate(() => !started && !res.destroyed && start());
    await reading.catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') throw badRequest(`failed to try resolving symlinks in path "${path}": lstat ${path}: no such file or directory`);
      throw e;
    });
    if (!started) start();
    res.end();
  } finally {
    serverSignal.removeEventListener('abort', stop);
  }
}
