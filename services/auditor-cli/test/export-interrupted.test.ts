/**
 * `pnpm ledger export` on a long log: progress on stderr, and Ctrl-C (or SIGTERM) stops it between
 * two pages leaving no bundle behind (nor the directory it made); so does a write that fails
 * midway (a full disk), with one line and exit 3. Before, it printed nothing for the whole export, and a
 * Ctrl-C left a truncated events.ndjson without a manifest, which the next export into the same
 * directory refused as "already holds a bundle" and `verify --bundle` could not read. A second
 * export into the directory while one writes there is refused.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openLedger } from '@timebank/ledger-opener';
import { generateLedger } from '@timebank/projections/testing';
import { runAndSignal, runLedger, type LedgerRun } from './ledger-process.js';

t.test('an interrupted export leaves no bundle, and the next one completes', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-export-interrupted-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  let events: number;
  try {
    events = await generateLedger(opened.store, { volunteers: 10_000, eventsTarget: 150_000 });
  } finally {
    await opened.close();
  }
  const out = join(root, 'bundle');

  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    const run = await runAndSignal(
      ['export', '--data-dir', dataDir, '--out', out],
      /^export: \d+ events, position \d+\/\d+$/m,
      signal,
    );
    t.ok(run.sent, `${signal}: sent after the first progress line`);
    t.equal(run.status, status, `${signal}: exit ${status}: ${run.stderr.slice(-300)}`);
    t.match(run.stderr, /ledger export: PROJECTION_INTERRUPTED: export interrupted at position \d+/);
    t.notOk(existsSync(out), `${signal}: the --out directory the export made is removed again`);
  }

  // Two exports into one directory at once: the second is refused (exit 2) before it writes
  // anything, and the first completes. Before, both wrote the same partial file.
  let second: Promise<LedgerRun> | undefined;
  const first = await runAndSignal(
    ['export', '--data-dir', dataDir, '--out', out],
    /^export: \d+ events, position \d+\/\d+$/m,
    () => {
      second = runLedger(['export', '--quiet', '--data-dir', dataDir, '--out', out]);
    },
  );
  t.ok(first.sent, 'the second export started while the first was writing');
  t.equal(first.status, 0, `the first export completes: ${first.stderr.slice(-300)}`);
  const refused = await second!;
  t.equal(refused.status, 2, 'the second exits 2');
  t.match(
    refused.stderr,
    /^ledger export: PROJECTION_INVALID_ARGUMENT: --out \S+ is being written by another export \(process \d+, since [^)]+\); wait for it to finish, or export into another directory\n$/,
  );
  t.same(readdirSync(out).sort(), ['events.ndjson', 'manifest.json'], 'one bundle, no lock or partial file');
  t.equal((await runLedger(['verify', '--bundle', out])).status, 0, 'and it verifies');
  rmSync(out, { recursive: true });

  // A write that fails midway, as on a full disk (here the events file is /dev/full): before,
  // the export ended with exit 13 and no word at all, leaving its partial file behind.
  if (existsSync('/dev/full')) {
    mkdirSync(out, { recursive: true });
    symlinkSync('/dev/full', join(out, 'events.ndjson.partial'));
    const failed = await runLedger(['export', '--quiet', '--data-dir', dataDir, '--out', out]);
    t.equal(failed.status, 3, `exit 3: ${failed.stderr}`);
    t.match(
      failed.stderr,
      /^ledger export: export failed at position \d+ \(ENOSPC: no space left on device, write\); the partly written bundle was removed\n$/,
    );
    t.same(readdirSync(out), [], 'the directory that was there stays, with no partial file in it');
    rmdirSync(out);
  }

  // What a SIGKILL mid-export leaves: the next export writes over it.
  mkdirSync(out);
  writeFileSync(join(out, 'events.ndjson.partial'), '{"position":"1"');
  const exported = await runLedger(['export', '--quiet', '--data-dir', dataDir, '--out', out]);
  t.equal(exported.status, 0, exported.stderr);
  t.match(exported.stdout, `exported ${events} events`);
  t.same(readdirSync(out).sort(), ['events.ndjson', 'manifest.json']);
  const verified = await runLedger(['verify', '--bundle', out]);
  t.equal(verified.status, 0, verified.stdout);
  t.notOk(existsSync(join(out, 'events.ndjson.partial')));
});
