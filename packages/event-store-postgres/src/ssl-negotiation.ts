/**
 * `sslmode=prefer` and `sslmode=allow` as libpq (psql, pg_dump) reads them, which the pg driver
 * (8.x) does not: it takes any `sslmode` but `disable` as "TLS or nothing", so a POSTGRES_URL with
 * `sslmode=prefer` (libpq's default, and what many operators copy from psql) stopped the ledger
 * with `The server does not support SSL connections` on a PostgreSQL without TLS, which psql
 * reached in the clear. libpq's meanings, per connection:
 *
 * - `prefer`: ask for TLS (SSLRequest); a server that answers `N` is spoken to in the clear on the
 *   same connection, and a TLS handshake that fails is retried once in the clear. The certificate
 *   is not checked.
 * - `allow`: connect in the clear; a server that refuses the start-up (an ErrorResponse, as
 *   `hostssl`-only pg_hba.conf rules answer) is tried again over TLS, certificate not checked.
 *
 * The driver is told `sslmode=disable` and given a socket of ours that negotiates as above, for
 * every connection it opens (pooled, LISTEN, advisory lock): each one decides afresh, as libpq's.
 */
import { Socket, isIP } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { readFileSync } from 'node:fs';

/** PostgreSQL's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);
/** The first byte of a server's ErrorResponse. */
const ERROR_RESPONSE = 0x45;

type NegotiatedMode = 'prefer' | 'allow';

/** What the driver is given for `connectionString`: the URL it should read, and our socket. */
export interface DriverConnection {
  readonly connectionString: string;
  readonly stream?: () => Duplex;
}

/**
 * The driver's settings for `connectionString`: as it is, unless its `sslmode` is `prefer` or
 * `allow` (and `uselibpqcompat` is not `false`, which asks for the driver's own meanings).
 */
export function driverConnection(connectionString: string): DriverConnection {
  const queryAt = connectionString.indexOf('?');
  if (queryAt < 0) return { connectionString };
  const query = new URLSearchParams(connectionString.slice(queryAt + 1));
  const mode = query.get('sslmode');
  if ((mode !== 'prefer' && mode !== 'allow') || query.get('uselibpqcompat') === 'false')
    return { connectionString };
  // A client certificate is offered as libpq offers it; the server's is not checked in either mode.
  const tls: ConnectionOptions = {
    rejectUnauthorized: false,
    ...(query.has('sslcert') ? { cert: readFileSync(query.get('sslcert')!, 'utf8') } : {}),
    ...(query.has('sslkey') ? { key: readFileSync(query.get('sslkey')!, 'utf8') } : {}),
  };
  for (const name of ['sslcert', 'sslkey', 'sslrootcert', 'uselibpqcompat']) query.delete(name);
  query.set('sslmode', 'disable');
  return {
    connectionString: `${connectionString.slice(0, queryAt)}?${query.toString()}`,
    stream: () => new NegotiatingSocket(mode, tls),
  };
}

/**
 * The socket the driver reads and writes: a TCP connection, or TLS over it, chosen as `mode`
 * says before the driver sees `connect`. The driver uses only what it uses of a net.Socket.
 */
class NegotiatingSocket extends Duplex {
  /** The TCP connection now in use, for keepalive and ref/unref. */
  #tcp: Socket | undefined;
  /** What the driver's bytes go through: #tcp, or TLS over it. */
  #inner: Duplex | undefined;
  #keepAlive: [boolean, number] | undefined;
  /** `allow`: the driver's start-up message, sent again over TLS if the clear one is refused. */
  #startup: Buffer | undefined;
  #retried = false;
  #port = 0;
  #host = '';

  constructor(
    private readonly mode: NegotiatedMode,
    private readonly tls: ConnectionOptions,
  ) {
    super({ allowHalfOpen: false });
  }

  connect(port: number, host: string): this {
    this.#port = port;
    this.#host = host;
    this.#open(this.mode === 'prefer', () => this.emit('connect'));
    return this;
  }

  /** Opens a TCP connection, over TLS if `encrypted` (falling back as `mode` allows), then `ready`. */
  #open(encrypted: boolean, ready: () => void): void {
    const [port, host] = [this.#port, this.#host];
    const tcp = new Socket();
    this.#tcp = tcp;
    tcp.setNoDelay(true);
    const fail = (error: Error): void => void (this.#tcp === tcp && this.destroy(error));
    tcp.on('error', fail);
    tcp.on('close', () => void (this.#tcp === tcp && this.destroy()));
    tcp.connect(port, host, () => {
      if (this.#keepAlive !== undefined) tcp.setKeepAlive(...this.#keepAlive);
      if (!encrypted) return this.#use(tcp, ready);
      tcp.write(SSL_REQUEST);
      tcp.once('data', (answer: Buffer) => {
        if (answer[0] === 0x4e) return this.#use(tcp, ready); // 'N': no TLS here; go on in the clear.
        if (answer[0] !== 0x53) return fail(new Error('There was an error establishing an SSL connection'));
        const secure = connectTls({
          socket: tcp,
          ...this.tls,
          ...(isIP(host) === 0 ? { servername: host } : {}),
        });
        let established = false;
        secure.once('secureConnect', () => {
          established = true;
          this.#use(secure, ready);
        });
        secure.on('error', (error: Error) => {
          if (established || this.mode !== 'prefer' || this.#retried) return fail(error);
          // prefer: a TLS handshake that fails is tried again in the clear, as libpq does.
          this.#retried = true;
          this.#tcp = undefined;
          tcp.destroy();
          this.#open(false, ready);
        });
      });
    });
  }

  #use(inner: Duplex, ready: () => void): void {
    this.#inner = inner;
    inner.on('data', (chunk: Buffer) => this.#received(chunk));
    inner.on('end', () => void (this.#inner === inner && this.push(null)));
    ready();
  }

  #received(chunk: Buffer): void {
    const refusedInTheClear =
      this.mode === 'allow' && !this.#retried && this.#startup !== undefined && chunk[0] === ERROR_RESPONSE;
    if (!refusedInTheClear) {
      if (this.mode === 'allow') this.#retried = true; // The start-up was answered: no retry later.
      this.push(chunk);
      return;
    }
    // allow: the clear start-up was refused; ask again over TLS, sending the same start-up.
    this.#retried = true;
    const startup = this.#startup!;
    const refused = this.#tcp!;
    this.#tcp = undefined;
    this.#inner = undefined;
    refused.destroy();
    this.#open(true, () => this.#inner!.write(startup));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.mode === 'allow' && this.#startup === undefined) this.#startup = chunk;
    if (this.#inner === undefined) return callback(new Error('not connected'));
    this.#inner.write(chunk, callback);
  }

  override _read(): void {}

  override _final(callback: (error?: Error | null) => void): void {
    this.#inner?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const tcp = this.#tcp;
    this.#tcp = undefined;
    this.#inner?.destroy();
    tcp?.destroy();
    callback(error);
  }

  setNoDelay(): this {
    return this; // Every TCP connection here has it already.
  }

  setKeepAlive(enable: boolean, initialDelayMilliseconds: number): this {
    this.#keepAlive = [enable, initialDelayMilliseconds];
    this.#tcp?.setKeepAlive(enable, initialDelayMilliseconds);
    return this;
  }

  ref(): this {
    this.#tcp?.ref();
    return this;
  }

  unref(): this {
    this.#tcp?.unref();
    return this;
  }
}
