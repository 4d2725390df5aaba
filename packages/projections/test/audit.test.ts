import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { verifyBundle } from '../src/audit/bundle.js';
import { exportLedger } from '../src/audit/export.js';
import { rebuildReadModels } from '../src/audit/rebuild.js';
import { verifyLedger } from '../src/audit/verify.js';
import { Projector } from '../src/projector.js';
import { createReadModelQueries } from '../src/queries.js';
import { sqliteHarness } from './harness.js';
import { ALICE, seedScenario } from './scenario.js';

// The same checks through `pnpm ledger`, over a data directory the opener laid out, are in
// services/auditor-cli/test/cli.test.ts: a library's tests do not run a service.
t.test('verify, rebuild and export over an intact ledger, then tampered and deleted events', async (t) => {
  const engine = await sqliteHarness.create();
  t.teardown(() => engine.close());
  const storePath = engine.storePath ?? '';
  const { last } = await seedScenario(engine.store);
  const projector = new Projector({ store: engine.store, db: engine.db });
  await projector.start();
  await projector.waitForPosition(last);
  await projector.stop();
  const queries = createReadModelQueries(engine.db);
  const before = await queries.volunteerSummary(ALICE);

  const intact = await verifyLedger({ store: engine.store, db: engine.db });
  t.same(intact.findings, [], 'an intact ledger verifies clean');
  t.equal(intact.checkpoint, last);

  const rebuilt = await rebuildReadModels({ store: engine.store, db: engine.db });
  t.equal(rebuilt.position, last);
  t.same(await queries.volunteerSummary(ALICE), before, 'rebuild reproduces the live read models');
  t.same((await verifyLedger({ store: engine.store, db: engine.db })).findings, []);

  const bundle = mkdtempSync(join(tmpdir(), 'timebank-bundle-'));
  t.teardown(() => rmSync(bundle, { recursive: true, force: true }));
  const manifest = await exportLedger({ store: engine.store, directory: bundle });
  t.equal(manifest.lastPosition, last.toString());
  t.equal(manifest.eventCount, Number(last));
  t.match(await verifyBundle(bundle), {
    ok: true,
    events: manifest.eventCount,
    rootHash: manifest.rootHash,
  });

  // A copy of the bundle with one byte changed inside one event is caught offline.
  const tamperedBundle = mkdtempSync(join(tmpdir(), 'timebank-bundle-'));
  t.teardown(() => rmSync(tamperedBundle, { recursive: true, force: true }));
  writeFileSync(join(tamperedBundle, 'manifest.json'), readFileSync(join(bundle, 'manifest.json')));
  const lines = readFileSync(join(bundle, 'events.ndjson'), 'utf8').replace(
    '"durationMinutes":600',
    '"durationMinutes":700',
  );
  writeFileSync(join(tamperedBundle, 'events.ndjson'), lines);
  const tampered = await verifyBundle(tamperedBundle);
  t.equal(tampered.ok, false);
  t.ok(
    tampered.findings.some(
      (finding) => finding.streamName === `volunteer-${ALICE}` && finding.message.includes('hash'),
    ),
  );

  // Flip one byte of one stored event, directly in the SQLite file.
  const raw = new Database(storePath);
  t.teardown(() => raw.close());
  const stored = raw
    .prepare(
      "SELECT data FROM events WHERE stream_id = (SELECT stream_id FROM streams WHERE stream_name = 'volunteer-alice') AND revision = 1",
    )
    .get() as { data: string };
  const flipped = stored.data.replace('"durationMinutes":120', '"durationMinutes":121');
  t.not(flipped, stored.data, 'the test changes exactly one character');
  raw
    .prepare(
      "UPDATE events SET data = ? WHERE stream_id = (SELECT stream_id FROM streams WHERE stream_name = 'volunteer-alice') AND revision = 1",
    )
    .run(flipped);
  const afterFlip = await verifyLedger({ store: engine.store, db: engine.db });
  t.equal(afterFlip.ok, false);
  const chainFindings = afterFlip.findings.filter((finding) => finding.kind === 'hash-chain');
  t.match(chainFindings, [{ streamName: 'volunteer-alice', revision: 1n, message: /does not match/ }]);
  t.equal(chainFindings.length, 1, 'exactly that stream and revision');
  raw
    .prepare(
      "UPDATE events SET data = ? WHERE stream_id = (SELECT stream_id FROM streams WHERE stream_name = 'volunteer-alice') AND revision = 1",
    )
    .run(stored.data);

  // Delete an event from the middle of a stream: its revision is reported missing.
  raw
    .prepare(
      "DELETE FROM events WHERE stream_id = (SELECT stream_id FROM streams WHERE stream_name = 'volunteer-alice') AND revision = 4",
    )
    .run();
  const afterDelete = await verifyLedger({ store: engine.store, db: engine.db });
  t.equal(afterDelete.ok, false);
  t.match(
    afterDelete.findings.filter((finding) => finding.kind === 'hash-chain'),
    [{ streamName: 'volunteer-alice', revision: 4n, message: 'revision 4 is missing' }],
  );
  t.ok(
    afterDelete.findings.some(
      (finding) => finding.kind === 'replay' && finding.message.includes('volunteer-alice@'),
    ),
    'the replay also trips over the gap and names where',
  );
});

t.test('verify reports read models beyond the end of the log: its last events were removed', async (t) => {
  const engine = await sqliteHarness.create();
  t.teardown(() => engine.close());
  const { last } = await seedScenario(engine.store);
  const projector = new Projector({ store: engine.store, db: engine.db });
  await projector.start();
  await projector.waitForPosition(last);
  await projector.stop();

  // Cut the log's last event, and its stream's head with it, so that every chain stays intact:
  // only the read models, projected before the cut, still remember how far the log went.
  const raw = new Database(engine.storePath ?? '');
  t.teardown(() => raw.close());
  const { stream_id: streamId } = raw
    .prepare('SELECT stream_id FROM events WHERE position = ?')
    .get(last) as { stream_id: number };
  raw.prepare('DELETE FROM events WHERE position = ?').run(last);
  raw
    .prepare(
      `UPDATE streams SET
         head_revision = (SELECT max(revision) FROM events WHERE stream_id = ?),
         head_hash = (SELECT hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1)
       WHERE stream_id = ?`,
    )
    .run(streamId, streamId, streamId);

  const report = await verifyLedger({ store: engine.store, db: engine.db });
  t.equal(report.ok, false);
  t.match(report.findings, [
    {
      kind: 'replay',
      message: `the read models are at position ${last}, beyond the last event of the log (position ${last - 1n})`,
    },
  ]);
});
