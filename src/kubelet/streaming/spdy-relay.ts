// Splices two SPDY connections stream by stream: every stream the front peer (kubectl, through
// the API server) opens is opened on the back (the runtime's streaming server) with the same
// headers, and bytes, half-closes and resets flow both ways. Serves port-forward and SPDY exec.
import type { SpdySession, SpdyStream } from './spdy-session.js';

export function relaySpdy(front: SpdySession, back: SpdySession, onError: (e: Error) => void): Promise<void> {
  front.on('stream', (f: SpdyStream) => {
    // Data the front sends before the back stream exists stays buffered in `f` until piped.
    back.openStream(f.headers).then(
      (b) => {
        f.pipe(b);
        b.pipe(f);
        f.on('reset', () => b.reset());
        b.on('reset', () => f.reset());
        f.on('error', () => b.reset());
        b.on('error', () => f.reset());
      },
      (e: Error) => {
        onError(e);
        f.reset();
      },
    );
  });
  front.on('error', onError);
  back.on('error', onError);
  return new Promise<void>((resolve) => {
    let left = 2;
    const closed = () => {
      front.close();
      back.close();
      if (--left === 0) resolve();
    };
    front.once('close', closed);
    back.once('close', closed);
  });
}
