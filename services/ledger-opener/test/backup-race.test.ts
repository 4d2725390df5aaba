/**
 * Two backups to one --out at once (a cron job and an operator): the one that finishes second
 * finds --out filled. It is refused in one line naming --out, its copy is discarded and the
 * other's backup is left as it was; before, it failed with the system's `ENOTEMPTY: directory not
 * empty, rename '…incomplete-…' -> '…'` after copying everything. Likewise a restore whose
 * --data-dir was filled meanwhile (another restore, a server started on it).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  backupDataDir,
  isBackupError,
  openLedger,
  reportOnlyErasureHook,
  restoreDataDir,
} from '../src/index.js';

t.test('a backup whose --out another one filled meanwhile is refused and discarded', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-backup-race-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  await opened.close();
  const out = join(root, 'backup');
  let filled = false;
  const failure = await backupDataDir({
    dataDir,
    out,
    onProgress: () => {
      if (filled) return;
      filled = true;
      // The other backup completes while this one copies.
      mkdirSync(out);
      writeFileSync(join(out, 'backup-manifest.json'), '{}');
    },
  }).catch((error: unknown) => error);
  t.ok(isBackupError(failure) && failure.reason === 'refused', `refused: ${String(failure)}`);
  t.match((failure as Error).message, `--out ${out} was filled by another backup while this one ran`);
  t.same(readdirSync(out), ['backup-manifest.json'], 'the other backup is left as it was');
  t.same(readdirSync(root).sort(), ['backup', 'data'], 'no staging directory is left');
});

t.test('a restore whose --data-dir something filled meanwhile is refused and discarded', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-restore-race-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  await opened.close();
  const backup = join(root, 'backup');
  await backupDataDir({ dataDir, out: backup });
  const target = join(root, 'restored');
  const failure = await restoreDataDir({
    from: backup,
    dataDir: target,
    erasureHook: reportOnlyErasureHook,
    // A server started on the empty --data-dir while the restore ran.
    check: async () => {
      mkdirSync(target);
      writeFileSync(join(target, 'ledger.sqlite'), '');
      return true;
    },
  }).catch((error: unknown) => error);
  t.ok(isBackupError(failure) && failure.reason === 'refused', `refused: ${String(failure)}`);
  t.match((failure as Error).message, `--data-dir ${target} was filled by another restore`);
  t.same(readdirSync(target), ['ledger.sqlite'], 'what filled it is left as it was');
  t.same(readdirSync(root).sort(), ['backup', 'data', 'restored'], 'no staging directory is left');
});
