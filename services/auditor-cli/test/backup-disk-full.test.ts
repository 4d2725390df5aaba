/**
 * `pnpm ledger backup` and `restore` onto a full disk (a 1 MiB tmpfs filled by a file; mounting it
 * needs root, as CI and the development machine run, and elsewhere the test skips and says why):
 * each exits 3, says the target's disk is full and that the partly written copy was removed, and
 * leaves nothing on that disk but the filler.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fillDisk, mountTmpfs } from '@timebank/event-store/testing';
import { ledgerWithBackup, runLedger } from './ledger-process.js';

const root = mkdtempSync(join(tmpdir(), 'timebank-backup-disk-full-'));
const small = join(root, 'small');
mkdirSync(small);
const notMounted = mountTmpfs(small, '1m');
t.teardown(() => {
  if (notMounted === undefined) execFileSync('umount', [small]);
  rmSync(root, { recursive: true, force: true });
});

t.test(
  'backup and restore onto a full disk say so and leave nothing behind',
  { skip: notMounted ?? false },
  async (t) => {
    const { dataDir, backupDir, made } = await ledgerWithBackup(root);
    t.equal(made.status, 0, 'a backup onto a disk with room');
    fillDisk(join(small, 'filler'));

    const backup = await runLedger([
      'backup',
      '--quiet',
      '--data-dir',
      dataDir,
      '--out',
      join(small, 'backup'),
    ]);
    t.equal(backup.status, 3, 'backup exits 3');
    t.match(
      backup.stderr,
      /^ledger backup: no space left on the disk of \S+\/small\/backup \(.+\); the partly written backup was removed\n$/,
    );
    t.same(readdirSync(small), ['filler'], 'nothing left on the full disk but the filler');

    const restore = await runLedger(['restore', '--from', backupDir, '--data-dir', join(small, 'restored')]);
    t.equal(restore.status, 3, 'restore exits 3');
    t.match(
      restore.stderr,
      /ledger restore: no space left on the disk of \S+\/small\/restored \(.+\); the partly written restore was removed\n$/,
    );
    t.same(readdirSync(small), ['filler'], 'nothing left on the full disk but the filler');
  },
);
