/**
 * `pnpm ledger` over a SQLite data directory, as a process: the ledger is written through the
 * opener (so the files have the names every service uses), then the CLI rebuilds, verifies and
 * exports it, and catches one byte changed in the store's file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';
import { EVENT_STORE_FILE, openEventStore } from '@timebank/ledger-opener';
import { build } from '@timebank/projections/testing';
import { launcher } from './ledger-process.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');
const runCli = (args: string[]) =>
  spawnSync(process.execPath, [launcher, cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LEDGER_STORE: '', LEDGER_DATA_DIR: '' },
  });

/** Alice registers (revision 0) and serves 120 minutes (revision 1), confirmed and earned. */
async function seed(dataDir: string): Promise<void> {
  const store = await openEventStore({ engine: 'sqlite', dataDir });
  try {
    await store.appendToStream('partner-p1', [build.partnerRegistered('p1', '2026-01-01T00:00:00.000Z')], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream(
      'volunteer-alice',
      [
        build.registered('alice', '2026-01-01T00:00:00.000Z'),
        build.recorded('alice', 'r1', '2026-01-10T01:00:00.000Z', '2026-01-10T03:00:00.000Z', 120),
        build.confirmed('alice', 'r1', '2026-01-10T03:00:00.000Z'),
        build.earned('alice', 'r1', 200, '2026-01-10T03:00:00.000Z'),
      ],
      { expectedRevision: 'no_stream' },
    );
  } finally {
    await store.close();
  }
}

t.test('usage errors exit 2 and name what is wrong', async (t) => {
  t.equal(runCli(['--help']).status, 0, '--help exits 0');
  t.match(
    runCli(['verify', '--no-such-flag']),
    { status: 2, stderr: /no-such-flag/ },
    'an unknown flag is a usage error',
  );
  t.match(runCli(['export']), { status: 2, stderr: /--out/ }, 'export without --out says what is missing');
  const empty = mkdtempSync(join(tmpdir(), 'timebank-auditor-empty-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  t.match(runCli(['verify', '--data-dir', join(empty, 'nope')]), { status: 2, stderr: /no event store/ });
  const noBundle = runCli(['verify', '--bundle', join(empty, 'nope')]);
  t.match(noBundle, { status: 2 }, 'verify --bundle of a directory that does not exist is refused input');
  t.equal(
    noBundle.stderr,
    `ledger verify: --bundle ${join(empty, 'nope')} does not exist or is not a directory\n`,
  );
  const aFile = join(empty, 'a-file.json');
  writeFileSync(aFile, '{}');
  t.match(
    runCli(['verify', '--bundle', aFile]),
    { status: 2, stderr: /is not a directory/ },
    'nor is a file',
  );
  // A directory without a manifest is no bundle either; a malformed manifest is named in one
  // line, under the command's own name (not 'verify-bundle'), without zod's JSON.
  const noManifest = runCli(['verify', '--bundle', empty]);
  t.match(noManifest, { status: 2 }, 'a directory that is no bundle is refused input');
  t.equal(
    noManifest.stderr,
    `ledger verify: --bundle ${empty} holds no manifest.json: it is not an export bundle\n`,
  );
  writeFileSync(join(empty, 'manifest.json'), '{}');
  const malformed = runCli(['verify', '--bundle', empty]);
  t.match(
    malformed.stderr,
    /^ledger verify: PROJECTION_BUNDLE_INVALID: manifest\.json is malformed: format: /,
  );
  t.equal(malformed.stderr.split('\n').length, 2, 'one line');
});

t.test('rebuild, verify and export a SQLite ledger, then catch a tampered event', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'timebank-auditor-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await seed(dataDir);

  const behind = runCli(['verify', '--data-dir', dataDir, '--quiet']);
  t.match(behind, { status: 0, stdout: /^OK/m }, 'the log verifies before any read model exists');
  t.match(
    behind.stderr,
    /warning: the read models are at position 0, behind the store's last position 5; their rows were compared as of 0 only/,
    'and says the read models were compared only as far as they go',
  );
  t.match(runCli(['rebuild', '--data-dir', dataDir]), { status: 0 }, 'rebuild builds the read models');
  const current = runCli(['verify', '--data-dir', dataDir, '--quiet']);
  t.match(current, { status: 0, stdout: /^OK/m });
  t.notMatch(current.stderr, /warning/, 'no warning once they are current');
  const bundle = join(dataDir, 'bundle');
  t.match(runCli(['export', '--data-dir', dataDir, '--out', bundle]), { status: 0 });
  t.match(
    runCli(['export', '--data-dir', dataDir, '--out', bundle]),
    { status: 2, stderr: /already holds a bundle \(manifest\.json\); export into a new directory/ },
    'an export never writes over an earlier bundle',
  );
  t.match(runCli(['verify', '--bundle', bundle]), { status: 0, stdout: /^OK/m });

  // Flip one byte of one stored event, directly in the SQLite file the opener named.
  const raw = new Database(join(dataDir, EVENT_STORE_FILE));
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
  const cliFlip = runCli(['verify', '--data-dir', dataDir, '--quiet']);
  t.equal(cliFlip.status, 1, 'the CLI exits non-zero');
  t.match(cliFlip.stdout, /FAIL \[hash-chain\] volunteer-alice@1: stored hash does not match content/);
});
