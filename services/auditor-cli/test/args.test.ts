import t from 'tap';
import { SCAN_PAGE_CACHE_KIB } from '@timebank/ledger-opener';
import { parseCommand, USAGE } from '../src/args.js';

const none = {};

t.test('each engine is accepted with its own flags', async (t) => {
  t.match(parseCommand(['verify', '--data-dir', 'd'], none), {
    name: 'verify',
    backend: {
      store: { engine: 'sqlite', dataDir: 'd', pageCacheKib: SCAN_PAGE_CACHE_KIB },
      readModelDataDir: 'd',
    },
  });
  t.match(parseCommand(['rebuild', '--store', 'postgres', '--postgres-url', 'postgres://h/db'], none), {
    backend: { store: { engine: 'postgres', url: 'postgres://h/db', schema: 'ledger' } },
  });
  // Found by the PostgreSQL operator pass: --data-dir was refused with postgres, although the
  // commands read master.key and append to the erasure list there (LEDGER_DATA_DIR, default
  // ./data): erase-due run anywhere but the API's directory wrote its erasures where no restore
  // would look for them.
  t.match(
    parseCommand(
      ['erase-due', '--store', 'postgres', '--postgres-url', 'postgres://h/db', '--data-dir', '/srv/ledger'],
      none,
    ),
    { backend: { store: { engine: 'postgres' }, readModelDataDir: '/srv/ledger' } },
  );
  for (const url of ['esdb://127.0.0.1:1?tls=false', 'kurrentdb+discover://a:2113']) {
    t.match(parseCommand(['verify', '--store', 'esdb', '--esdb-url', url], none), {
      backend: { store: { engine: 'esdb', url }, readModelDataDir: './data' },
    });
  }
  t.match(parseCommand(['export', '--out', 'o'], { LEDGER_STORE: 'esdb', ESDB_URL: 'esdb://h:2113' }), {
    backend: { store: { engine: 'esdb', url: 'esdb://h:2113' } },
  });
});

t.test(
  'PostgreSQL commands run without a statement timeout and take POSTGRES_CONNECT_TIMEOUT_MS',
  async (t) => {
    const postgres = ['rebuild', '--store', 'postgres', '--postgres-url', 'postgres://h/db'];
    const command = parseCommand(postgres, none);
    t.same('backend' in command ? command.backend.store : undefined, {
      engine: 'postgres',
      url: 'postgres://h/db',
      schema: 'ledger',
      timeouts: { statementTimeoutMilliseconds: 0 },
    });
    t.match(parseCommand(postgres, { POSTGRES_CONNECT_TIMEOUT_MS: '2500' }), {
      backend: {
        store: { timeouts: { statementTimeoutMilliseconds: 0, connectTimeoutMilliseconds: 2500 } },
      },
    });
    t.throws(() => parseCommand(postgres, { POSTGRES_CONNECT_TIMEOUT_MS: '10s' }), {
      message: /POSTGRES_CONNECT_TIMEOUT_MS must be a whole number of milliseconds/,
    });
  },
);

t.test('an engine without its location, or another engine’s flag, is a usage error', async (t) => {
  t.throws(() => parseCommand(['verify', '--store', 'esdb'], none), { message: /--esdb-url/ });
  t.throws(() => parseCommand(['verify', '--store', 'esdb', '--esdb-url', 'http://h'], none), {
    message: /^--esdb-url \(or ESDB_URL\) must start with esdb:\/\/… or kurrentdb:\/\//,
  });
  t.throws(() => parseCommand(['verify', '--store', 'postgres'], none), {
    message: /--store postgres needs --postgres-url/,
  });
  // A URL that was given but is not one is named as such, and not repeated (it may hold a password).
  const malformed = 'notaurl:secret@h';
  t.throws(() => parseCommand(['verify', '--store', 'postgres', '--postgres-url', malformed], none), {
    message: /^--postgres-url \(or POSTGRES_URL\) must start with postgres:\/\/ or postgresql:\/\/\n/,
  });
  t.throws(() => parseCommand(['verify', '--store', 'postgres'], { POSTGRES_URL: malformed }), {
    message: /^--postgres-url \(or POSTGRES_URL\) must start with/,
  });
  t.throws(() => parseCommand(['verify', '--esdb-url', 'esdb://h'], none), {
    message: /--esdb-url needs --store esdb/,
  });
  t.throws(() => parseCommand(['verify', '--store', 'mysql'], none), { message: /sqlite, postgres or esdb/ });
  t.throws(() => parseCommand(['verify', '--bundle', 'b', '--esdb-url', 'esdb://h'], none), {
    message: /no store options/,
  });
});

t.test('a flag given twice is a usage error, not the last one silently winning', async (t) => {
  t.throws(() => parseCommand(['export', '--out', 'a', '--out', 'b'], none), {
    code: 'PROJECTION_INVALID_ARGUMENT',
    message: /--out is given more than once/,
  });
  t.throws(() => parseCommand(['verify', '--data-dir=a', '--data-dir', 'a'], none), {
    message: /--data-dir is given more than once/,
  });
  t.throws(
    () =>
      parseCommand(['export-records', '--period', '2026-11', '--format', 'csv', '--format', 'json'], none),
    {
      message: /--format is given more than once/,
    },
  );
  // a repeated switch says nothing new and stays harmless
  t.match(parseCommand(['verify', '--json', '--json', '--quiet'], none), {
    name: 'verify',
    json: true,
    quiet: true,
  });
});

t.test('--help lists every exit status the commands use', async (t) => {
  // import-records exits 1 when rows were rejected, migrate when verify failed; a signal stops a
  // long command with 128 + its number (docs/operations.md, docs/interchange.md).
  t.match(USAGE, /import-records: some rows were rejected/);
  t.match(USAGE, /130, 143, 129/);
});

t.test('options without a command are a usage error; nothing at all is a request for help', async (t) => {
  t.same(parseCommand([], none), { name: 'help' });
  t.same(parseCommand(['--data-dir', 'd', '--help'], none), { name: 'help' });
  try {
    parseCommand(['--data-dir', 'd'], none);
    t.fail('accepted options without a command');
  } catch (error) {
    t.match(error, {
      code: 'PROJECTION_INVALID_ARGUMENT',
      message: /^no command before --data-dir d; name one, e\.g\. verify\n/,
    });
  }
});

// Found by the PostgreSQL operator pass: PostgreSQL keeps schema names starting with pg_ for
// itself; the server now refuses such a POSTGRES_SCHEMA as a configuration mistake, and so does
// the CLI, with the same words, instead of looking for an event store there.
t.test('--postgres-schema (or POSTGRES_SCHEMA) may not start with pg_', async (t) => {
  const url = ['--store', 'postgres', '--postgres-url', 'postgres://h/db'];
  t.throws(() => parseCommand(['verify', ...url, '--postgres-schema', 'pg_ledger'], none), {
    message:
      /^--postgres-schema \(or POSTGRES_SCHEMA\) may not start with pg_ \(PostgreSQL keeps those names for itself\)/,
  });
  t.throws(() => parseCommand(['verify', ...url], { POSTGRES_SCHEMA: 'pg_catalog' }), {
    message: /may not start with pg_/,
  });
  t.throws(() => parseCommand(['verify', ...url, '--postgres-schema', 'Ledger'], none), {
    message: /must be a lower-case SQL identifier of at most 63 characters/,
  });
  t.match(parseCommand(['verify', ...url, '--postgres-schema', 'user'], none), {
    backend: { store: { schema: 'user' } },
  });
});
