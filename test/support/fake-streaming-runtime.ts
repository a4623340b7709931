// Test double for a container runtime's streaming server (what CRI Exec/PortForward URLs point
// at): SPDY remotecommand v4 that runs the command as a local process, and SPDY portforward.k8s.io
// that connects to 127.0.0.1:<port>. Plus a StreamingBackend whose containers are log files.
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { StatusError } from '../../src/api/errors.js';
import type { KObject } from '../../src/api/types.js';
import type { ContainerRef, StreamingBackend, StreamOptions } from '../../src/kubelet/http/backend.js';
import { acceptSpdy } from '../../src/kubelet/streaming/spdy-upgrade.js';
import type { SpdySession, SpdyStream } from '../../src/kubelet/streaming/spdy-session.js';

type Pending = { kind: 'exec'; cmd: string[]; o: StreamOptions } | { kind: 'portforward' };

export class FakeStreamingRuntime {
  private readonly pending = new Map<string, Pending>();
  private readonly server = createServer((_req, res) => res.writeHead(400).end('upgrade required'));
  port = 0;

  async start(): Promise<void> {
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  stop(): void {
    this.server.closeAllConnections();
    this.server.close();
  }

  url(p: Pending): string {
    const token = randomBytes(8).toString('hex');
    this.pending.set(token, p);
    return `http://127.0.0.1:${this.port}/${p.kind}/${token}`;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const token = (req.url ?? '').split('/')[2] ?? '';
    const p = this.pending.get(token);
    this.pending.delete(token);
    if (!p) return void socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    if (p.kind === 'exec') this.exec(acceptSpdy(socket, head, 'v4.channel.k8s.io'), p.cmd, p.o);
    else this.portForward(acceptSpdy(socket, head, 'portforward.k8s.io'));
  }

  private exec(session: SpdySession, cmd: string[], o: StreamOptions): void {
    const want = ['error', ...(o.stdin ? ['stdin'] : []), ...(o.stdout ? ['stdout'] : []), ...(o.stderr ? ['stderr'] : []), ...(o.tty ? ['resize'] : [])];
    const streams = new Map<string, SpdyStream>();
    session.on('stream', (s: SpdyStream) => {
      streams.set(s.headers.streamtype ?? '', s);
      if (want.every((w) => streams.has(w))) run();
    });
    const run = () => {
      const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const stdin = streams.get('stdin');
      if (stdin) stdin.pipe(child.stdin);
      else child.stdin.end();
      child.stdin.on('error', () => {});
      const out = streams.get('stdout');
      const err = streams.get('stderr') ?? out;
      child.stdout.on('data', (d: Buffer) => out?.write(d));
      child.stderr.on('data', (d: Buffer) => err?.write(d));
      child.on('error', (e) => finish(`{"metadata":{},"status":"Failure","message":${JSON.stringify(e.message)},"reason":"InternalError"}`));
      child.on('close', (code) => {
        finish(code === 0 ? '{"metadata":{},"status":"Success"}' : JSON.stringify({ metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${code}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } }));
      });
      let done = false;
      const finish = (status: string) => {
        if (done) return;
        done = true;
        out?.end();
        streams.get('stderr')?.end();
        streams.get('error')!.end(status);
        setTimeout(() => session.close(), 50);
      };
    };
  }

  private portForward(session: SpdySession): void {
    session.on('stream', (s: SpdyStream) => {
      if (s.headers.streamtype !== 'data') return;
      const sock = connect(Number(s.headers.port), '127.0.0.1');
      sock.on('error', () => s.reset());
      s.pipe(sock);
      sock.pipe(s);
    });
  }
}

/** A backend whose containers are entries in a table: log files and a running flag. */
export class FakeBackend implements StreamingBackend {
  readonly containers = new Map<string, ContainerRef>();

  constructor(private readonly runtime: FakeStreamingRuntime) {}

  async container(ns: string, pod: string, container: string): Promise<ContainerRef> {
    const c = this.containers.get(`${ns}/${pod}/${container}`);
    if (!c) throw new StatusError(404, 'NotFound', `container "${container}" not found in pod "${ns}/${pod}"`);
    return c;
  }

  async isRunning(id: string): Promise<boolean> {
    return [...this.containers.values()].some((c) => c.containerId === id && c.running);
  }

  async sandbox(): Promise<{ sandboxId: string }> {
    return { sandboxId: 'sandbox' };
  }

  async exec(_id: string, cmd: string[], o: StreamOptions): Promise<string> {
    return this.runtime.url({ kind: 'exec', cmd, o });
  }

  async attach(): Promise<string> {
    throw new StatusError(400, 'BadRequest', 'attach is not supported by the fake runtime');
  }

  async portForward(): Promise<string> {
    return this.runtime.url({ kind: 'portforward' });
  }

  async pods(): Promise<KObject[]> {
    return [];
  }
}
