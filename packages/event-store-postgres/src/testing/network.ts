/**
 * Network faults for timeout tests, on real sockets: a port that accepts and never answers, and a
 * proxy to PostgreSQL that can stop forwarding as a partition does.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** What a test framework's test offers to clean up after it (tap's `t.teardown`). */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

async function listenUntilTeardown(t: Teardown, server: Server, sockets: Set<Socket>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A free local port whose listener accepts every connection and then `treat`s it (e.g. ends it at once). */
export function acceptingPort(t: Teardown, treat: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    treat(socket);
  });
  return listenUntilTeardown(t, server, sockets);
}

/** A free local port whose listener accepts every connection and never sends a byte. */
export function silentPort(t: Teardown): Promise<number> {
  return acceptingPort(t, () => undefined);
}

/** A proxy to PostgreSQL on a free port; `freeze()` stops forwarding both ways, as a partition does. */
export async function freezableProxy(
  t: Teardown,
  target: URL,
): Promise<{ port: number; freeze: () => void; thaw: () => void }> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => frozen || upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => frozen || client.write(chunk));
  });
  const port = await listenUntilTeardown(t, server, sockets);
  return { port, freeze: () => (frozen = true), thaw: () => (frozen = false) };
}

/** How `promise` failed and after how long; a result is reported as an error of its own. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ error: unknown; elapsedMilliseconds: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => new Error('expected a failure, got a result'),
    (failed: unknown) => failed,
  );
  return { error, elapsedMilliseconds: Date.now() - started };
}
