/**
 * A TCP proxy on 127.0.0.1 in front of a PostgreSQL server, for tests: restart() drops every
 * connection and refuses new ones for a while, which is what a client sees of a server restart.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PgProxy {
  port: number;
  /** Drop all connections, refuse new ones for `downMs`, then accept again. */
  restart(downMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startPgProxy(host: string, port: number): Promise<PgProxy> {
  const sockets = new Set<Socket>();
  let server: Server;
  let listenPort = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(port, host);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(listenPort, '127.0.0.1', () => {
        listenPort = (server.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      sockets.clear();
    });
  return {
    port: listenPort,
    async restart(downMs) {
      await stop();
      await sleep(downMs);
      await listen();
    },
    close: stop,
  };
}
