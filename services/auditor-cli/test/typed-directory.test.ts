/**
 * `pnpm ledger` runs in the repository's root wherever it was typed; relative paths must still
 * mean the directory it was typed in (pnpm's INIT_CWD), as they do in the operator's shell.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openEventStore } from '@timebank/ledger-opener';
import { build } from '@timebank/projections/testing';
import { repositoryRoot, runLedger } from './ledger-process.js';

/** What `pnpm ledger <args>` typed in `typedIn` runs: the root as working directory, pnpm's variables set. */
const ledgerTypedIn = (typedIn: string, args: readonly string[]) =>
  runLedger(args, { INIT_CWD: typedIn, npm_lifecycle_event: 'ledger' });

t.test('relative --data-dir and --out are read in the directory the command was typed in', async (t) => {
  const typedIn = mkdtempSync(join(tmpdir(), 'timebank-typed-in-'));
  t.teardown(() => rmSync(typedIn, { recursive: true, force: true }));
  const store = await openEventStore({ engine: 'sqlite', dataDir: join(typedIn, 'ledger-data') });
  await store.appendToStream('volunteer-alice', [build.registered('alice', '2026-01-01T00:00:00.000Z')], {
    expectedRevision: 'no_stream',
  });
  await store.close();

  const verified = await ledgerTypedIn(typedIn, ['verify', '--data-dir', 'ledger-data']);
  t.equal(verified.status, 0, verified.stderr);
  t.match(verified.stdout, /^OK: 1 events in 1 streams/m, 'the ledger beside the operator was verified');

  const exported = await ledgerTypedIn(typedIn, [
    'export',
    '--data-dir',
    './ledger-data',
    '--out',
    './bundle',
  ]);
  t.equal(exported.status, 0, exported.stderr);
  t.ok(existsSync(join(typedIn, 'bundle', 'manifest.json')), 'the bundle is where the operator is');
  t.notOk(existsSync(join(repositoryRoot, 'bundle')), 'not in the repository root');
  t.notOk(readdirSync(repositoryRoot).includes('ledger-data'), 'and no empty ledger was made there');
});
