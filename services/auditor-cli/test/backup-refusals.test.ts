/**
 * `pnpm ledger backup` and `restore` on bad input, as processes: each refusal says what is wrong
 * in one line, exits 2 (bad input) or 1 (a backup that does not match its manifest), and leaves
 * every directory as it was: no backup, no data directory, no staging leftovers.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { BACKUP_MANIFEST_FILE, NATIONAL_ID_KEY_FILE } from '@timebank/ledger-opener';
import { ledgerWithBackup, runLedger, type LedgerRun } from './ledger-process.js';

/** Every path under `directory` with its contents, to show that a refusal changed nothing. */
function snapshot(directory: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    entries[path] = entry.isFile() ? readFileSync(path).toString('base64') : '<dir>';
  }
  return entries;
}

/** A refusal: the exit status, one line on stderr matching `message`, nothing on stdout, nothing changed. */
async function refused(
  t: Test,
  root: string,
  args: readonly string[],
  expected: { status: number; message: RegExp },
) {
  const before = snapshot(root);
  const run: LedgerRun = await runLedger(args);
  t.equal(run.status, expected.status, `exit ${expected.status}: ${run.stderr.trim()}`);
  t.match(run.stderr, expected.message);
  t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
  t.equal(run.stdout, '', 'no report');
  t.same(snapshot(root), before, 'nothing written or changed');
}

t.test('backup and restore refuse bad input and change nothing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-backup-refusals-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const { dataDir, backupDir, made } = await ledgerWithBackup(root);
  t.equal(made.status, 0, `a good backup to restore from\n${made.stderr}`);

  t.test('backup', async (t) => {
    await refused(t, root, ['backup', '--data-dir', join(root, 'nowhere'), '--out', join(root, 'b1')], {
      status: 2,
      message: /^ledger backup: --data-dir \S+nowhere does not exist or is not a directory\n$/,
    });
    mkdirSync(join(root, 'empty-data'));
    await refused(t, root, ['backup', '--data-dir', join(root, 'empty-data'), '--out', join(root, 'b2')], {
      status: 2,
      message: /^ledger backup: no event store at \S+empty-data\/ledger\.sqlite \(check --data-dir\)\n$/,
    });
    await refused(t, root, ['backup', '--data-dir', dataDir, '--out', backupDir], {
      status: 2,
      message: /^ledger backup: --out \S+backup is not empty \(\d+ entries\); backup never overwrites/,
    });
    writeFileSync(join(root, 'a-file'), 'x');
    await refused(t, root, ['backup', '--data-dir', dataDir, '--out', join(root, 'a-file')], {
      status: 2,
      message: /^ledger backup: --out \S+a-file is not a directory\n$/,
    });
    await refused(t, root, ['backup', '--data-dir', dataDir, '--out', join(dataDir, 'backup')], {
      status: 2,
      message: /is inside the data directory; put the backup elsewhere/,
    });
    await refused(t, root, ['backup', '--data-dir', dataDir], {
      status: 2,
      message: /^backup needs --out <dir>/,
    });
    await refused(t, root, ['backup', '--store', 'postgres', '--out', join(root, 'b3')], {
      status: 2,
      message: /^backup copies the SQLite data directory; with --store postgres .*pg_dump/,
    });
    await refused(t, root, ['backup', '--from', backupDir, '--out', join(root, 'b4')], {
      status: 2,
      message: /^--from belongs to the restore command/,
    });
  });

  t.test('restore', async (t) => {
    const target = join(root, 'restored');
    await refused(t, root, ['restore', '--from', join(root, 'nowhere'), '--data-dir', target], {
      status: 2,
      message: /^ledger restore: --from \S+nowhere does not exist or is not a directory\n$/,
    });
    await refused(t, root, ['restore', '--from', dataDir, '--data-dir', target], {
      status: 2,
      message: /^ledger restore: --from \S+data has no backup-manifest\.json; it is not a complete backup\n$/,
    });
    await refused(t, root, ['restore', '--from', backupDir, '--data-dir', dataDir], {
      status: 2,
      message: /^ledger restore: --data-dir \S+data is not empty \(\d+ entries\); restore never overwrites/,
    });
    // Accepted until this release: a live data directory, its master.key with it, inside the backup.
    await refused(t, root, ['restore', '--from', backupDir, '--data-dir', join(backupDir, 'sub')], {
      status: 2,
      message: /^ledger restore: --data-dir \S+sub is inside the backup \S+; restore elsewhere\n$/,
    });
    await refused(t, root, ['restore', '--from', backupDir], {
      status: 2,
      message: /^restore needs --data-dir <dir>, a new or empty directory \(no default\)/,
    });
    await refused(t, root, ['restore', '--data-dir', target], {
      status: 2,
      message: /^restore needs --from/,
    });
    await refused(
      t,
      root,
      ['restore', '--from', backupDir, '--data-dir', target, '--erasure-list', join(root, 'none.jsonl')],
      {
        status: 2,
        message: /^ledger restore: --erasure-list \S+none\.jsonl does not exist or is not a file\n$/,
      },
    );
    writeFileSync(
      join(root, 'bad.jsonl'),
      '{"volunteerId":"v1","erasedAt":"2026-01-01T00:00:00Z","reason":"consent withdrawn"}\nnot json\n',
    );
    await refused(
      t,
      root,
      ['restore', '--from', backupDir, '--data-dir', target, '--erasure-list', join(root, 'bad.jsonl')],
      {
        status: 2,
        message: /^ledger restore: --erasure-list \S+bad\.jsonl:2: not a JSON line\n$/,
      },
    );
  });

  t.test('restore refuses a backup that does not match its manifest', async (t) => {
    const target = join(root, 'restored');
    const copy = (name: string): string => {
      const directory = join(root, name);
      mkdirSync(directory);
      for (const file of readdirSync(backupDir))
        writeFileSync(join(directory, file), readFileSync(join(backupDir, file)));
      return directory;
    };
    const flipped = copy('flipped');
    const key = readFileSync(join(flipped, NATIONAL_ID_KEY_FILE), 'utf8');
    writeFileSync(join(flipped, NATIONAL_ID_KEY_FILE), `c${key.slice(1)}`);
    await refused(t, root, ['restore', '--from', flipped, '--data-dir', target], {
      status: 1,
      message:
        /^ledger restore: \S+national-id\.key has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/m,
    });
    const shortened = copy('shortened');
    writeFileSync(join(shortened, NATIONAL_ID_KEY_FILE), key.slice(1));
    await refused(t, root, ['restore', '--from', shortened, '--data-dir', target], {
      status: 1,
      message: /^ledger restore: \S+national-id\.key has 64 bytes, the manifest says 65$/m,
    });
    const escaping = copy('escaping');
    const manifestPath = join(escaping, BACKUP_MANIFEST_FILE);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { name: string }[] };
    manifest.files[0]!.name = '../outside';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    await refused(t, root, ['restore', '--from', escaping, '--data-dir', target], {
      status: 1,
      message:
        /^ledger restore: \S+backup-manifest\.json is not a backup manifest: files\.0\.name not a file the ledger backs up\n$/,
    });
  });
});

t.test('backup of a data directory whose event store is not a database names the file', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-backup-damaged-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, 'ledger.sqlite'), 'not a database, only a name\n');
  await refused(t, root, ['backup', '--quiet', '--data-dir', dataDir, '--out', join(root, 'b')], {
    status: 3,
    message:
      /^ledger backup: the event store at \S+data\/ledger\.sqlite is not a SQLite database \(file is not a database\)/,
  });
});
