/**
 * Network faults for timeout tests, on real sockets: a port that accepts and never answers, and a
 * proxy to PostgreSQL that can stop forwarding as a partition does. And a PostgreSQL with TLS: a
 * proxy that answers the driver's SSLRequest with a certificate of its own.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

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

/**
 * A proxy to PostgreSQL on a free port; `cut()` drops every connection through it and stops
 * listening (PostgreSQL out of reach: new connections are refused), `restore()` listens again on
 * the same port.
 */
export async function cuttableProxy(
  t: Teardown,
  target: URL,
): Promise<{ port: number; cut: () => Promise<void>; restore: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port: number): Promise<number> => {
    const listening = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    server = listening;
    return new Promise((resolve) =>
      listening.listen(port, '127.0.0.1', () => resolve((listening.address() as AddressInfo).port)),
    );
  };
  const cut = (): Promise<void> =>
    new Promise((resolve) => {
      if (server === undefined || !server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  const port = await listen(0);
  t.teardown(cut);
  return { port, cut, restore: async () => void (await listen(port)) };
}

/** PostgreSQL's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);

/** What the server behind the proxy does about TLS (see tlsPostgresProxy). */
export type ProxiedTls = 'tls' | 'no-tls' | 'tls-only';

/** A FATAL ErrorResponse as a `hostssl`-only pg_hba.conf answers a start-up in the clear. */
function noEncryptionRefusal(): Buffer {
  const fields = Buffer.from(
    'SFATAL\0VFATAL\0C28000\0Mno pg_hba.conf entry for host "127.0.0.1", no encryption\0\0',
  );
  const length = Buffer.alloc(4);
  length.writeInt32BE(fields.length + 4);
  return Buffer.concat([Buffer.from('E'), length, fields]);
}

/**
 * PostgreSQL at `target` behind TLS, on a free port: a connection that asks for TLS (SSLRequest)
 * gets `S` and a TLS session with `certificate`, whose plaintext is forwarded to `target`; one
 * that does not is forwarded as it is. `tls` says otherwise: `no-tls` answers every SSLRequest
 * `N` (a server with `ssl = off`) and forwards what follows in the clear; `tls-only` refuses a
 * start-up in the clear (a `hostssl`-only pg_hba.conf). `sessions()` counts each kind: TLS
 * sessions, clear ones, handshakes a client broke off (a certificate it refused), SSLRequests
 * declined, and start-ups in the clear refused.
 */
export async function tlsPostgresProxy(
  t: Teardown,
  target: URL,
  certificate: { readonly key: string; readonly cert: string },
  tls: ProxiedTls = 'tls',
): Promise<{
  port: number;
  sessions: () => { tls: number; plain: number; refused: number; declined: number; refusedPlain: number };
}> {
  const counts = { tls: 0, plain: 0, refused: 0, declined: 0, refusedPlain: 0 };
  const sockets = new Set<Socket>();
  const forward = (client: Socket, first?: Buffer): void => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    if (first !== undefined) upstream.write(first);
    client.pipe(upstream).pipe(client);
  };
  const startUp = (raw: Socket, chunk: Buffer): void => {
    if (!chunk.subarray(0, 8).equals(SSL_REQUEST)) {
      if (tls === 'tls-only') {
        counts.refusedPlain += 1;
        raw.end(noEncryptionRefusal());
        return;
      }
      counts.plain += 1;
      forward(raw, chunk);
      return;
    }
    if (tls === 'no-tls') {
      counts.declined += 1;
      raw.write('N');
      raw.once('data', (next: Buffer) => startUp(raw, next));
      return;
    }
    raw.write('S');
    const secure = new TLSSocket(raw, { isServer: true, ...certificate });
    sockets.add(secure);
    let established = false;
    secure.on('error', () => void (established || (counts.refused += 1)));
    secure.once('secure', () => {
      established = true;
      counts.tls += 1;
      forward(secure);
    });
  };
  const server = createServer((raw) => {
    sockets.add(raw);
    raw.on('error', () => undefined);
    raw.once('data', (chunk: Buffer) => startUp(raw, chunk));
  });
  const port = await listenUntilTeardown(t, server, sockets);
  return { port, sessions: () => ({ ...counts }) };
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
