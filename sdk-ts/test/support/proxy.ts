/**
 * A TCP proxy on 127.0.0.1 the tests can cut: `cut(ms)` destroys every open
 * connection and refuses new ones for `ms`, so a client sees its stream die
 * and stay down long enough to miss blocks.
 */
import net from 'node:net';

export interface Proxy {
  port: number;
  url(path: string): string;
  cut(downMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(targetHost: string, targetPort: number): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    async cut(downMs: number) {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((r) => setTimeout(r, downMs));
      down = false;
    },
    async close() {
      down = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
