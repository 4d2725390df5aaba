/**
 * `sslmode=prefer` and `sslmode=allow` as libpq reads them, for every connection the adapter
 * opens. The PostgreSQL here is the real one behind a proxy that plays the server's side of TLS:
 * one without TLS (answers the SSLRequest `N`, as `ssl = off` does), one with it, and one that
 * accepts only TLS (refuses a start-up in the clear, as a `hostssl`-only pg_hba.conf does).
 *
 * Found by the PostgreSQL operator pass: the driver took `prefer` for "TLS or nothing", so a
 * POSTGRES_URL with `sslmode=prefer` (libpq's default, which psql used to reach the same server
 * in the clear) stopped the ledger with `The server does not support SSL connections`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore, driverConnection } from '../src/index.js';
import { tlsPostgresProxy, type ProxiedTls, type Teardown } from '../src/testing/index.js';
import { dropSchema, freshSchemaName, newEvent } from './helpers.js';

const url = requireServerUrl('POSTGRES_URL');
const here = dirname(fileURLToPath(import.meta.url));
const certificate = {
  key: readFileSync(join(here, 'fixtures', 'tls', 'self-signed.key'), 'utf8'),
  cert: readFileSync(join(here, 'fixtures', 'tls', 'self-signed.crt'), 'utf8'),
};
const skip = url === undefined ? 'POSTGRES_URL is not set' : false;

/** POSTGRES_URL through a proxy of kind `tls`, with `sslmode`, and the proxy. */
async function behind(t: Teardown, tls: ProxiedTls, sslmode: string) {
  const proxy = await tlsPostgresProxy(t, new URL(url!), certificate, tls);
  const through = new URL(url!);
  through.port = String(proxy.port);
  through.search = `?sslmode=${sslmode}&uselibpqcompat=true`;
  return { proxy, url: through.toString() };
}

/** Whether one connection made as the driver is told for `connectionString` is encrypted. */
async function encrypted(connectionString: string): Promise<boolean> {
  const client = new pg.Client(driverConnection(connectionString));
  client.on('error', () => undefined);
  await client.connect();
  try {
    const result = await client.query<{ ssl: boolean }>(
      'SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false) AS ssl',
    );
    return result.rows[0]!.ssl;
  } finally {
    await client.end();
  }
}

t.test(
  'sslmode=prefer: in the clear on a server without TLS, encrypted on one with it',
  { skip },
  async (t) => {
    const plain = await behind(t, 'no-tls', 'prefer');
    t.equal(await encrypted(plain.url), false, 'connected, in the clear');
    t.same(
      plain.proxy.sessions(),
      { tls: 0, plain: 1, refused: 0, declined: 1, refusedPlain: 0 },
      'TLS was asked first',
    );

    const secure = await behind(t, 'tls', 'prefer');
    t.equal(await encrypted(secure.url), false, 'the proxy’s own connection to the server is in the clear');
    t.same(
      secure.proxy.sessions(),
      { tls: 1, plain: 0, refused: 0, declined: 0, refusedPlain: 0 },
      'encrypted',
    );
  },
);

t.test(
  'sslmode=allow: in the clear where the server allows it, over TLS where it refuses',
  { skip },
  async (t) => {
    const plain = await behind(t, 'no-tls', 'allow');
    await encrypted(plain.url);
    t.same(
      plain.proxy.sessions(),
      { tls: 0, plain: 1, refused: 0, declined: 0, refusedPlain: 0 },
      'clear first',
    );

    const tlsOnly = await behind(t, 'tls-only', 'allow');
    await encrypted(tlsOnly.url);
    t.same(
      tlsOnly.proxy.sessions(),
      { tls: 1, plain: 0, refused: 0, declined: 0, refusedPlain: 1 },
      'then TLS',
    );
  },
);

t.test('sslmode=require still refuses a server without TLS', { skip }, async (t) => {
  const plain = await behind(t, 'no-tls', 'require');
  await t.rejects(encrypted(plain.url), /does not support SSL/);
});

t.test(
  'the store with sslmode=prefer on a server without TLS: its pool and its listener',
  { skip },
  async (t) => {
    const plain = await behind(t, 'no-tls', 'prefer');
    const schema = freshSchemaName();
    const store = await createPostgresEventStore({ connectionString: plain.url, schema });
    // Before the proxy's own teardown, and past the proxy.
    t.teardown(async () => {
      await store.close();
      await dropSchema(url!, schema);
    });
    const subscription = store.subscribeToAll();
    const seen = (async () => {
      for await (const message of subscription) if (message.kind === 'event') return message.event.position;
      return 0n;
    })();
    await store.appendToStream('thing-1', [newEvent()], { expectedRevision: 'no_stream' });
    t.ok((await seen) > 0n, 'a subscriber was told of the append');
    await subscription.close();
    const sessions = plain.proxy.sessions();
    t.ok(sessions.plain >= 2, `pooled and LISTEN connections (${JSON.stringify(sessions)})`);
    t.equal(sessions.plain, sessions.declined, 'each asked for TLS first');
  },
);
