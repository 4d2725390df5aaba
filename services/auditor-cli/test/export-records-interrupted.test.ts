/**
 * `pnpm ledger export-records` stopped by Ctrl-C while it reads the log: one line saying so,
 * exit 130, and no file (nor a temporary one, nor the --out directory). Before, the read never
 * let a signal handler run, so Node's default killed it with no word; and the CSV and JSON were
 * written one after the other, so a stop between the two left one of them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openLedger, openPersonalKeys } from '@timebank/ledger-opener';
import { generateLedger } from '@timebank/projections/testing';
import { runAndSignal, runLedger } from './ledger-process.js';

t.test('an interrupted export-records says so and writes nothing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-export-records-interrupted-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  try {
    // Enough events that the read is still going when its first progress line triggers the signal.
    await generateLedger(opened.store, { volunteers: 10_000, eventsTarget: 150_000 });
  } finally {
    await opened.close();
  }
  // The keys a server's first start makes: export-records reads personal data and never creates them.
  await (await openPersonalKeys({ engine: 'sqlite', dataDir }, { masterKey: null })).close();
  const out = join(root, 'platform');
  const args = ['export-records', '--period', '2026-12', '--data-dir', dataDir, '--out', out];
  const run = await runAndSignal(args, /^export-records: \d+ events read$/m, 'SIGINT');
  t.ok(run.sent, 'the signal was sent while the log was read');
  t.equal(run.status, 130, `exit 130 (signal ${run.signal}): ${run.stderr.slice(-300)}`);
  t.match(
    run.stderr,
    /ledger export-records: PROJECTION_INTERRUPTED: export-records interrupted after \d+ events read; nothing was written\n$/,
  );
  t.notOk(existsSync(out), 'no --out directory, no file, no temporary file');

  const whole = await runLedger([...args, '--quiet']);
  t.equal(whole.status, 0, whole.stderr);
  t.ok(existsSync(join(out, 'records-2026-12.csv')) && existsSync(join(out, 'records-2026-12.json')));
});
