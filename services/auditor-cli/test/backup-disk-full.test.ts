/**
 * `pnpm ledger backup`, `restore` and `export-records` onto a full disk (a 1 MiB tmpfs filled by a
 * file; mounting it needs root, as CI and the development machine run, and elsewhere the test
 * skips and says why): each exits 3, says the target's disk is full and that nothing (or only a
 * partly written copy, removed) was written, and leaves nothing on that disk. A command on a
 * ledger on that disk says the disk is full.
 */
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openPersonalKeys } from '@timebank/ledger-opener';
import { fillDisk, smallDisk } from '@timebank/event-store/testing';
import { ledgerWithBackup, runLedger } from './ledger-process.js';

const disk = smallDisk('timebank-backup-disk-full-', '1m');
const { directory: root, small } = disk;
t.teardown(() => disk.cleanup());

t.test(
  'backup, restore and export-records onto a full disk say so and leave nothing behind, and a ledger on it is named full',
  { skip: disk.skip },
  async (t) => {
    const { dataDir, backupDir, made } = await ledgerWithBackup(root);
    t.equal(made.status, 0, 'a backup onto a disk with room');
    const full = join(small, 'data');
    cpSync(dataDir, full, { recursive: true });
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
    // It said "no space left on the disk of <the data directory>, where SQLite must write its -wal"
    // inside, sending the operator to a disk with plenty of room.
    t.notOk(backup.stderr.includes(dataDir), 'the source, whose disk has room, is not blamed');
    t.match(backup.stderr, /\(copying \S+\.sqlite filled the disk \(database or disk is full\)\)/);
    t.same(readdirSync(small).sort(), ['data', 'filler'], 'nothing left on the full disk but what was there');

    const restore = await runLedger(['restore', '--from', backupDir, '--data-dir', join(small, 'restored')]);
    t.equal(restore.status, 3, 'restore exits 3');
    t.match(
      restore.stderr,
      /ledger restore: no space left on the disk of \S+\/small\/restored \(.+\); the partly written restore was removed\n$/,
    );
    t.same(readdirSync(small).sort(), ['data', 'filler'], 'nothing left on the full disk but what was there');

    // The keys a server's first start makes: export-records reads personal data and never creates them.
    await (await openPersonalKeys({ engine: 'sqlite', dataDir }, { masterKey: null })).close();
    const records = await runLedger([
      'export-records',
      '--period',
      '2026-11',
      '--data-dir',
      dataDir,
      '--out',
      join(small, 'records'),
    ]);
    t.equal(records.status, 3, 'export-records exits 3');
    t.match(
      records.stderr,
      /ledger export-records: no space left on the disk of \S+\/small\/records \(ENOSPC: .+\); nothing was written\n$/,
    );
    t.same(readdirSync(small).sort(), ['data', 'filler'], 'not even the --out directory it made');

    // A ledger on the full disk: SQLite's "disk I/O error" on open is put down to the disk, not to
    // permissions.
    const verify = await runLedger(['verify', '--data-dir', full]);
    t.equal(verify.status, 3, 'verify exits 3');
    t.match(
      verify.stderr,
      /^ledger verify: cannot open the event store at \S+\/small\/data\/ledger.sqlite \(.+\): no space left on the disk of \S+\/small\/data, where SQLite must write its -wal and -shm files even to read; free space and try again\n$/,
    );
  },
);
