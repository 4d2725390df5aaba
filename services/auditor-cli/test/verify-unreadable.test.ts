/**
 * An event row edited outside the store so that its data or metadata is no longer JSON: `pnpm
 * ledger verify` reports it as a finding that names its position, stream and revision (exit 1)
 * and checks the rest of the log, instead of failing on a bare SyntaxError (exit 3, no location);
 * `rebuild` fails naming the same event; the API's log check (`checkLog`) lists it too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { EVENT_STORE_FILE, openLedger } from '@timebank/ledger-opener';
import { checkLog } from '@timebank/projections';
import { generateLedger } from '@timebank/projections/testing';
import { runLedger } from './ledger-process.js';

/** Overwrites one column of the event at `position` and returns its stream name and revision. */
function corrupt(dataDir: string, position: number, column: 'data' | 'metadata'): string {
  const db = new Database(join(dataDir, EVENT_STORE_FILE));
  try {
    db.prepare(`UPDATE events SET ${column} = '{not json' WHERE position = ?`).run(position);
    const row = db
      .prepare(
        'SELECT s.stream_name AS name, e.revision AS revision FROM events e JOIN streams s USING (stream_id) WHERE e.position = ?',
      )
      .get(position) as { name: string; revision: number };
    return `${row.name}@${row.revision}`;
  } finally {
    db.close();
  }
}

t.test('verify names an event whose stored JSON does not parse, and goes on', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-verify-unreadable-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  let events: number;
  try {
    events = await generateLedger(opened.store, { volunteers: 30, eventsTarget: 1_500 });
  } finally {
    await opened.close();
  }
  const rebuilt = await runLedger(['rebuild', '--quiet', '--data-dir', dataDir]);
  t.equal(rebuilt.status, 0, `read models to compare: ${rebuilt.stderr}`);

  // One event early in the log (the next pages must still be checked) and one in a later page.
  const dataAt = corrupt(dataDir, 5, 'data');
  const metadataAt = corrupt(dataDir, 1_200, 'metadata');

  const verify = await runLedger(['verify', '--quiet', '--data-dir', dataDir]);
  t.equal(verify.status, 1, `exit 1, a finding (stderr: ${verify.stderr})`);
  t.equal(verify.stderr, '', 'no error on stderr');
  t.match(
    verify.stdout,
    `FAIL [schema] ${dataAt}: the stored event at position 5 (${dataAt}) cannot be read: its data is not JSON`,
  );
  t.match(
    verify.stdout,
    `FAIL [schema] ${metadataAt}: the stored event at position 1200 (${metadataAt}) cannot be read: its metadata is not JSON`,
  );
  t.match(verify.stdout, /FAIL \[replay\] replay stopped at position 5/);
  t.notMatch(verify.stdout, /\[hash-chain\]/, 'the chains around the unreadable events still link');
  t.match(verify.stdout, `FAILED with 3 findings: ${events} events in `);

  const rebuild = await runLedger(['rebuild', '--quiet', '--data-dir', dataDir]);
  t.equal(rebuild.status, 3, 'rebuild cannot go on without the event');
  t.match(rebuild.stderr, `ledger rebuild: the stored event at position 5 (${dataAt}) cannot be read`);
  t.notMatch(rebuild.stderr, /\n\s+at /, 'no stack trace');

  const reopened = await openLedger({ engine: 'sqlite', dataDir });
  try {
    const report = await checkLog(reopened.store);
    t.equal(report.events, events, 'every event counted');
    t.same(
      report.findings.map((finding) => [finding.kind, `${finding.streamName}@${finding.revision}`]),
      [
        ['schema', dataAt],
        ['schema', metadataAt],
      ],
    );
  } finally {
    await reopened.close();
  }
});
