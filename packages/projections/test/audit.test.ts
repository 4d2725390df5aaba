import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

// The auditor CLI lives in services/auditor-cli; this test runs it over the library's own scenario.
const cli = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'services',
  'auditor-cli',
  'src',
  'main.ts',
);
const runCli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LEDGER_STORE: '', LEDGER_DATA_DIR: '' },
  });

t.test(
  'verify, rebuild, export and the CLI over an intact ledger, then tampered and deleted events',
  async (t) => {
    const engine = await sqliteHarness.create();
    t.teardown(() => engine.close());
    const storePath = engine.storePath ?? '';
    const dataDir = dirname(storePath);
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

    t.equal(runCli(['--help']).status, 0, '--help exits 0');
    t.match(
      runCli(['verify', '--no-such-flag']),
      { status: 2, stderr: /no-such-flag/ },
      'an unknown flag is a usage error',
    );
    t.match(runCli(['export']), { status: 2, stderr: /--out/ }, 'export without --out says what is missing');
    t.match(runCli(['verify', '--data-dir', join(dataDir, 'nope')]), { status: 2, stderr: /no event store/ });
    t.match(runCli(['verify', '--data-dir', dataDir, '--quiet']), { status: 0, stdout: /^OK/m });
    t.match(runCli(['verify', '--bundle', bundle]), { status: 0, stdout: /^OK/m });

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
      .prepare("SELECT data FROM events WHERE stream_name = 'volunteer-alice' AND revision = 1")
      .get() as { data: string };
    const flipped = stored.data.replace('"durationMinutes":120', '"durationMinutes":121');
    t.not(flipped, stored.data, 'the test changes exactly one character');
    raw
      .prepare("UPDATE events SET data = ? WHERE stream_name = 'volunteer-alice' AND revision = 1")
      .run(flipped);
    const afterFlip = await verifyLedger({ store: engine.store, db: engine.db });
    t.equal(afterFlip.ok, false);
    const chainFindings = afterFlip.findings.filter((finding) => finding.kind === 'hash-chain');
    t.match(chainFindings, [{ streamName: 'volunteer-alice', revision: 1n, message: /does not match/ }]);
    t.equal(chainFindings.length, 1, 'exactly that stream and revision');
    const cliFlip = runCli(['verify', '--data-dir', dataDir, '--quiet']);
    t.equal(cliFlip.status, 1, 'the CLI exits non-zero');
    t.match(cliFlip.stdout, /FAIL \[hash-chain\] volunteer-alice@1: stored hash does not match content/);
    raw
      .prepare("UPDATE events SET data = ? WHERE stream_name = 'volunteer-alice' AND revision = 1")
      .run(stored.data);

    // Delete an event from the middle of a stream: its revision is reported missing.
    raw.prepare("DELETE FROM events WHERE stream_name = 'volunteer-alice' AND revision = 4").run();
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
  },
);
