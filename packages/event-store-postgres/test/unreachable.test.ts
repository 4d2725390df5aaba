/**
 * PostgreSQL going away under an open store (a restart, a failover, a network cut), played by a
 * TCP proxy in front of the real server that the test shuts: reads then fail with the port's
 * `STORE_UNAVAILABLE`, as appends already did, rather than with the driver's raw socket error
 * (which the API answered as a 500), and work again once the server is back.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import t from 'tap';
import { EventStoreError } from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import { newEvent, openStore } from './helpers.js';

const url = requireServerUrl('POSTGRES_URL');

/** A proxy to PostgreSQL on a free port; `cut()` drops every connection and stops listening. */
async function proxyTo(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        const address = server!.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  const port = await listen(0);
  return {
    port,
    cut: async () => {
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    restore: () => listen(port),
  };
}

t.test(
  'reads fail with STORE_UNAVAILABLE while PostgreSQL is unreachable, and recover',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const target = new URL(url!);
    const proxy = await proxyTo(target);
    t.teardown(() => proxy.cut());
    const through = new URL(url!);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const store = await openStore(t, through.toString());
    await store.appendToStream('thing-1', [newEvent()], { expectedRevision: 'no_stream' });

    await proxy.cut();
    const reads = {
      readStream: () => store.readStream('thing-1'),
      readAll: () => store.readAll(),
      headPosition: () => store.headPosition(),
      readIdempotencyClaim: () => store.readIdempotencyClaim('ab'.repeat(32)),
    };
    for (const [name, read] of Object.entries(reads)) {
      const error: unknown = await read().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      t.ok(error instanceof EventStoreError, `${name}: an EventStoreError`);
      t.equal((error as EventStoreError).code, 'STORE_UNAVAILABLE', `${name}: STORE_UNAVAILABLE`);
    }

    await proxy.restore();
    t.equal((await store.readStream('thing-1')).length, 1, 'reads work again once the server is back');
  },
);
