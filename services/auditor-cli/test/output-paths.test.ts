/**
 * Where a command writes (`export --out`, `export-records --out`, `backup --out`, `restore` and
 * `migrate --data-dir`) and that place cannot be a directory: a file there or on its path, or a
 * level the system refuses to create. Each is refused in one line naming the flag, exit 2, with
 * nothing written; until this change a path under /proc hung every one of them (Node's recursive
 * mkdir retries an ENOENT for ever) and a file gave the system's bare words with exit 3.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ledgerWithBackup, runLedger } from './ledger-process.js';

/** A directory the kernel refuses to create in, answering ENOENT though its parent exists. */
const UNCREATABLE = '/proc/self/timebank-out';

t.test('a place that cannot be a directory is refused naming the flag, exit 2', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-output-paths-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const { dataDir, backupDir, made } = await ledgerWithBackup(root);
  t.equal(made.status, 0, `a backup to restore from\n${made.stderr}`);
  const aFile = join(root, 'a-file');
  writeFileSync(aFile, 'x');
  const entriesBefore = readdirSync(root).sort();

  const linux = process.platform === 'linux' && existsSync('/proc/self');
  const cases: { args: string[]; flag: string; place: string }[] = [
    { args: ['export', '--data-dir', dataDir, '--out', aFile], flag: '--out', place: aFile },
    { args: ['export', '--data-dir', dataDir, '--out', join(aFile, 'x')], flag: '--out', place: aFile },
    {
      args: ['export-records', '--period', '2026-11', '--data-dir', dataDir, '--out', join(aFile, 'x')],
      flag: '--out',
      place: aFile,
    },
    { args: ['backup', '--data-dir', dataDir, '--out', join(aFile, 'x')], flag: '--out', place: aFile },
    {
      args: ['restore', '--from', backupDir, '--data-dir', join(aFile, 'x')],
      flag: '--data-dir',
      place: aFile,
    },
    ...(linux
      ? [
          {
            args: ['export', '--data-dir', dataDir, '--out', UNCREATABLE],
            flag: '--out',
            place: UNCREATABLE,
          },
          {
            args: ['export-records', '--period', '2026-11', '--data-dir', dataDir, '--out', UNCREATABLE],
            flag: '--out',
            place: UNCREATABLE,
          },
          {
            args: ['backup', '--data-dir', dataDir, '--out', join(UNCREATABLE, 'b')],
            flag: '--out',
            place: UNCREATABLE,
          },
          {
            args: ['restore', '--from', backupDir, '--data-dir', join(UNCREATABLE, 'r')],
            flag: '--data-dir',
            place: UNCREATABLE,
          },
          {
            args: ['migrate', '--from', dataDir, '--data-dir', UNCREATABLE],
            flag: '--data-dir',
            place: UNCREATABLE,
          },
        ]
      : []),
  ];
  for (const { args, flag, place } of cases) {
    const run = await runLedger(['--quiet', ...args]);
    const command = args[0]!;
    t.equal(run.status, 2, `${args.join(' ')}: exit 2\n${run.stderr}`);
    t.match(run.stderr, `ledger ${command}: `, 'names the command');
    t.match(run.stderr, flag, `names ${flag}`);
    t.match(run.stderr, place, 'names the place');
    t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    t.equal(run.stdout, '', 'no report');
  }
  t.same(readdirSync(root).sort(), entriesBefore, 'nothing written beside them');
  t.same(readdirSync(dataDir).includes('timebank-out'), false);
});
