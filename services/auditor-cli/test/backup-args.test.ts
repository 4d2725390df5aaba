/**
 * How `pnpm ledger backup` and `restore` read their flags: backup falls back to LEDGER_DATA_DIR
 * like the other commands; restore wants --data-dir spelled out; neither takes another engine.
 */
import t from 'tap';
import { parseCommand } from '../src/args.js';

const none = {};

t.test('backup and restore with their flags', async (t) => {
  t.same(parseCommand(['backup', '--out', 'b'], none), {
    name: 'backup',
    dataDir: './data',
    out: 'b',
    json: false,
    quiet: false,
  });
  t.match(parseCommand(['backup', '--out', 'b', '--json'], { LEDGER_DATA_DIR: '/srv/data' }), {
    dataDir: '/srv/data',
    json: true,
    quiet: true,
  });
  t.same(parseCommand(['restore', '--from', 'b', '--data-dir', 'r', '--erasure-list', 'e.jsonl'], none), {
    name: 'restore',
    from: 'b',
    dataDir: 'r',
    erasureList: 'e.jsonl',
    json: false,
    quiet: false,
  });
  t.match(parseCommand(['restore', '--from', 'b', '--data-dir', 'r', '--quiet'], none), {
    erasureList: undefined,
    quiet: true,
  });
});

t.test('what backup and restore refuse as usage', async (t) => {
  t.throws(() => parseCommand(['backup'], none), { message: /^backup needs --out <dir>/ });
  t.throws(() => parseCommand(['restore', '--from', 'b'], { LEDGER_DATA_DIR: '/srv/data' }), {
    message: /^restore needs --data-dir <dir>, a new or empty directory \(no default\)/,
  });
  t.throws(() => parseCommand(['restore', '--data-dir', 'r'], none), { message: /^restore needs --from/ });
  t.throws(() => parseCommand(['restore', '--from', 'b', '--data-dir', 'r', '--out', 'o'], none), {
    message: /^restore takes --from <dir>, not --out/,
  });
  t.throws(() => parseCommand(['backup', '--out', 'b'], { LEDGER_STORE: 'postgres' }), {
    message: /^backup copies the SQLite data directory; with --store postgres .*pg_dump/,
  });
  // Found by the PostgreSQL operator pass: all three said "back up with … pg_dump", whatever the
  // command and the engine.
  t.throws(() => parseCommand(['restore', '--from', 'b', '--data-dir', 'r'], { LEDGER_STORE: 'postgres' }), {
    message:
      /^restore writes a SQLite data directory; with --store postgres restore with pg_dump and pg_restore/,
  });
  t.throws(() => parseCommand(['migrate', '--from', 'b', '--data-dir', 'r'], { LEDGER_STORE: 'postgres' }), {
    message:
      /^migrate copies a SQLite ledger written before personal fields were sealed .*no --store postgres/,
  });
  const esdb = t.throws(() => parseCommand(['backup', '--out', 'b'], { LEDGER_STORE: 'esdb' }));
  t.notMatch(String(esdb), /pg_dump/, 'no PostgreSQL tool named for EventStoreDB');
  t.throws(() => parseCommand(['backup', '--out', 'b', '--postgres-schema', 'x'], none), {
    message: /^backup takes no --postgres-url, --postgres-schema or --esdb-url/,
  });
  t.throws(() => parseCommand(['verify', '--erasure-list', 'e'], none), {
    message: /^--erasure-list belongs to the restore command/,
  });
  t.throws(() => parseCommand(['export', '--out', 'o', '--from', 'b'], none), {
    message: /^--from belongs to the restore command/,
  });
});
