import net from 'node:net';
import { onTestFinished } from 'vitest';
import { AsyncQueue } from './queue.js';

/**
 * A TCP relay on 127.0.0.1 in front of a real server that holds back what the server sends until
 * {@link TcpGate.release}: a client's connection is open (it has written its first bytes) while its handshake
 * cannot finish, for as long as the test wants. What the client sends goes through at once.
 */
export class TcpGate {
  /** One item per connection, once the client has written its first bytes through it. */
  readonly talking = new AsyncQueue<void>();
  readonly #held: Array<() => void> = [];
  readonly #sockets = new Set<net.Socket>();
  #released = false;

  private constructor(readonly server: net.Server) {}

  /** Starts a gate (on 127.0.0.1, listen(0)) in front of the server of `target`, e.g. a Redis URL; closed after the test. */
  static async start(target: string): Promise<TcpGate> {
    const { hostname, port } = new URL(target);
    const server = net.createServer();
    const gate = new TcpGate(server);
    server.on('connection', (client) => gate.#relay(client, hostname, Number(port || 6379)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => gate.close());
    return gate;
  }

  /** The gate as a redis:// URL. */
  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** From now on the server's bytes flow, those held so far first. */
  release(): void {
    this.#released = true;
    for (const flush of this.#held.splice(0)) flush();
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #relay(client: net.Socket, host: string, port: number): void {
    const upstream = net.connect(port, host);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.once('data', () => this.talking.push());
    client.on('data', (chunk) => upstream.write(chunk));
    const held: Buffer[] = [];
    upstream.on('data', (chunk) => (this.#released ? client.write(chunk) : held.push(chunk)));
    this.#held.push(() => {
      for (const chunk of held.splice(0)) client.write(chunk);
    });
  }
}
