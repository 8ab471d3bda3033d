import { WebSocket } from 'ws';
import type { Session } from './session.js';

/**
 * The WebSocket our ws server makes for each client (ws's `WebSocket` server option). It hands its socket's frames,
 * pings, error and close straight to its {@link Session} instead of through listeners: four listeners cost every
 * idle connection a dictionary of about 250 bytes, and every frame an event dispatch. Listeners that others add
 * (`once('close')` at shutdown, `on('pong')` in a test) still run, after the session; frames go to the session only.
 */
export class SessionSocket extends WebSocket {
  /** The session that owns this socket, set once by the session itself. */
  session: Session | undefined = undefined;
  /** The code of the error ws failed this socket with (it closes it next; `'error'` if it had none), if it did. */
  failure: string | undefined = undefined;

  // ws makes it as it makes its own: `new WebSocket(null, undefined, serverOptions)`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(...args: any[]) {
    super(...(args as ConstructorParameters<typeof WebSocket>));
    // No listener map until someone listens: Node's EventEmitter makes one on the first listener when there is
    // none, and a null-prototype map costs an idle connection about 200 bytes that its session never uses.
    (this as unknown as { _events: undefined })._events = undefined;
  }

  // The session holds its frames to the end of the turn (see Session.flush): they go out before any frame of
  // ws's own, whether we or ws (answering a client's close, failing a bad frame) asked for it.
  override close(code?: number, reason?: string | Buffer): void {
    this.session?.flush();
    super.close(code, reason);
  }

  override ping(data?: unknown, mask?: boolean, callback?: (error: Error) => void): void {
    this.session?.flush();
    super.ping(data, mask, callback);
  }

  override pong(data?: unknown, mask?: boolean, callback?: (error: Error) => void): void {
    this.session?.flush();
    super.pong(data, mask, callback);
  }

  // ws emits at most two arguments with any event: taking them one by one spares each frame a rest array.
  override emit(event: string | symbol, first?: unknown, second?: unknown): boolean {
    const session = this.session;
    switch (event) {
      case 'message':
        if (session === undefined) break;
        session.receive(first as Buffer, second as boolean);
        return true;
      case 'ping':
        session?.receivePing(first as Buffer);
        break;
      case 'error':
        this.failure = (first as { code?: string }).code ?? 'error';
        // A socket error (an oversized frame, bad UTF-8) closes this socket only: it never throws for want of a listener.
        if (this.listenerCount('error') === 0) return false;
        break;
      case 'close':
        session?.socketClosed(first as number);
        break;
    }
    return super.emit(event, first, second);
  }
}
