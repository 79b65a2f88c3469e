import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server that can be frozen: connections stay open but nothing
 * passes, as with a server that hangs or a network that drops packets.
 */
export class FreezableProxy {
  private frozen = false;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(target: { host: string; port: number }): Promise<FreezableProxy> {
    let proxy: FreezableProxy | undefined;
    const server = createServer((client) => {
      const upstream = createConnection(target);
      for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
        proxy!.sockets.add(from);
        from.on('data', (chunk) => proxy!.frozen || to.write(chunk));
        from.on('close', () => to.destroy());
        from.on('error', () => to.destroy());
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new FreezableProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  freeze(): void {
    this.frozen = true;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
