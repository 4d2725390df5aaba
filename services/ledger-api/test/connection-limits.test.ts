/**
 * What a client can hold open (http/connection-limits.ts), on a real server process: `inject()`
 * never opens a socket. Before these limits, a connection whose headers or body came a byte at a
 * time was held for ever and there was no bound on how many: enough of them took every file
 * descriptor the store needs too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { bootstrapAdminKey, startServer, stopServer } from './server-process.js';

const directory = mkdtempSync(join(tmpdir(), 'timebank-connection-limits-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

interface Held {
  readonly socket: Socket;
  /** Everything the server wrote on the connection, once it closed it. */
  readonly closed: Promise<string>;
}

function open(url: string, firstBytes: string): Promise<Held> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(firstBytes);
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      const closed = new Promise<string>((done) => socket.on('close', () => done(received)));
      resolve({ socket, closed });
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

const withinMs = <T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([promise, new Promise<'timed out'>((done) => setTimeout(() => done('timed out'), ms))]);

t.test(
  'slow headers and slow bodies are answered 408 and closed; beyond the cap, connections are dropped',
  async (t) => {
    const dataDir = join(directory, 'data');
    const server = await startServer({
      LEDGER_DATA_DIR: dataDir,
      LEDGER_SWEEP_INTERVAL_MS: '0',
      HTTP_CONNECTIONS_MAX: '4',
      HTTP_HEADERS_TIMEOUT_MS: '1500',
      HTTP_REQUEST_TIMEOUT_MS: '3000',
    });
    t.teardown(() => stopServer(server.child));

    const slowHeaders = await open(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => slowHeaders.socket.write('X-Slow: 1\r\n'), 200);
    t.teardown(() => clearInterval(trickle));
    // An administrator's request, so that the body is read (an unknown key is refused before it).
    const adminKey = bootstrapAdminKey(dataDir);
    const slowBody = await open(
      server.url,
      `POST /v1/volunteers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${adminKey}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const bodyTrickle = setInterval(() => slowBody.socket.write(' '), 200);
    t.teardown(() => clearInterval(bodyTrickle));
    const idle = [await open(server.url, ''), await open(server.url, '')];

    // Four are open: a fifth is closed on arrival, before it is read, and counted.
    const fifth = await open(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    t.equal(await withinMs(fifth.closed, 5000), '', 'the fifth connection is closed unanswered');

    const startedMs = performance.now();
    const headersAnswer = await withinMs(slowHeaders.closed, 6000);
    t.match(headersAnswer, /^HTTP\/1\.1 408 /, 'headers still coming after 1.5 s: 408');
    t.ok(performance.now() - startedMs < 4000, 'within a second or so of the timeout');
    const bodyAnswer = await withinMs(slowBody.closed, 8000);
    t.match(bodyAnswer, /^HTTP\/1\.1 408 /, 'a body still coming after 3 s: 408');
    t.match(bodyAnswer, /REQUEST_TIMEOUT/, 'as a problem with its code');
    for (const held of idle) held.socket.destroy();

    // With the slots free again, the server answers as before, and says what it dropped.
    const metrics = await fetch(`${server.url}/metrics`);
    t.equal(metrics.status, 200);
    t.match(await metrics.text(), /^http_connections_dropped_total 1$/m);
    t.match(server.stdout() + server.stderr(), /HTTP_CONNECTIONS_MAX reached/);
  },
);
