/**
 * The erasure list and its re-application on restore: records are appended durably and read back
 * in order; a malformed line is an error naming the line; and restoreDataDir hands every record
 * (the backup's own, then the live list's newer ones) to the ErasureHook, in order, against the
 * restored data directory, and leaves the merged list there for the next backup. Also the
 * in-process backup and restore into directories that exist and are empty.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  backupDataDir,
  createErasureList,
  erasureListAt,
  ERASURE_LIST_FILE,
  EVENT_STORE_FILE,
  openLedger,
  reportOnlyErasureHook,
  restoreDataDir,
  type ErasureHook,
  type ErasureRecord,
} from '../src/index.js';

function temporaryDirectory(t: Test): string {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-erasures-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

const erasure = (volunteerId: string, day: number): ErasureRecord => ({
  volunteerId,
  erasedAt: `2026-03-${String(day).padStart(2, '0')}T08:00:00.000Z`,
  reason: 'consent withdrawn',
});

t.test('records are appended, 0600, and read back in order', async (t) => {
  const list = createErasureList(temporaryDirectory(t));
  t.same(await list.read(), [], 'no file: no erasures');
  await list.append(erasure('v1', 1));
  await list.append(erasure('v2', 2));
  t.same(await list.read(), [erasure('v1', 1), erasure('v2', 2)]);
  t.equal(statSync(list.path).mode & 0o777, 0o600, 'readable by the owner only');
  await t.rejects(
    list.append({ volunteerId: '', erasedAt: 'yesterday', reason: '' }),
    'an invalid record is refused',
  );
  t.equal(readFileSync(list.path, 'utf8').split('\n').length, 3, 'and not written');
});

t.test('a malformed line is an error that names it', async (t) => {
  const path = join(temporaryDirectory(t), ERASURE_LIST_FILE);
  writeFileSync(path, JSON.stringify(erasure('v1', 1)) + '\n{"volunteerId":"v2"}\n');
  await t.rejects(erasureListAt(path).read(), { message: new RegExp(`^${path}:2: not an erasure record`) });
  // One line naming the missing fields (pnpm ledger restore prints it), not zod's JSON dump.
  await t.rejects(erasureListAt(path).read(), {
    message: new RegExp(`^${path}:2: not an erasure record: erasedAt: [^\\n]+; reason: [^\\n]+$`),
  });
});

t.test(
  'restore re-applies the backup’s erasures and the live list’s newer ones through the hook',
  async (t) => {
    const root = temporaryDirectory(t);
    const dataDir = join(root, 'data');
    const opened = await openLedger({ engine: 'sqlite', dataDir });
    await opened.close();
    const live = createErasureList(dataDir);
    await live.append(erasure('v1', 1));
    const progress: string[] = [];
    await backupDataDir({ dataDir, out: join(root, 'backup'), onProgress: (line) => progress.push(line) });
    t.match(progress.join('\n'), /erasures\.jsonl: \d+ bytes, sha256/, 'the erasure list is in the backup');
    // Erasures after the backup: only the live list knows them.
    await live.append(erasure('v2', 2));
    await live.append(erasure('v3', 3));

    const calls: { record: ErasureRecord; dataDir: string }[] = [];
    const recordingHook: ErasureHook = {
      async reapply(record, restoredDir) {
        calls.push({ record, dataDir: restoredDir });
        return { volunteerId: record.volunteerId, outcome: 'already-erased', detail: 'test hook' };
      },
    };
    const restoredDir = join(root, 'restored');
    const report = await restoreDataDir({
      from: join(root, 'backup'),
      dataDir: restoredDir,
      erasureList: live.path,
      erasureHook: recordingHook,
    });
    t.same(
      calls.map((call) => call.record.volunteerId),
      ['v1', 'v2', 'v3'],
      'every erasure, the backup’s first',
    );
    t.ok(
      calls.every((call) => call.dataDir === join(root, `.restored.restoring-${process.pid}`)),
      'against the staging directory that then becomes the restored data directory',
    );
    t.same(
      report.reapplied.map((result) => result.outcome),
      ['already-erased', 'already-erased', 'already-erased'],
    );
    t.same(
      await createErasureList(restoredDir).read(),
      [erasure('v1', 1), erasure('v2', 2), erasure('v3', 3)],
      'the restored list knows every erasure, so the next backup carries them',
    );

    const withoutList = await restoreDataDir({
      from: join(root, 'backup'),
      dataDir: join(root, 'restored-without-list'),
      erasureHook: reportOnlyErasureHook,
    });
    t.same(
      withoutList.reapplied.map((result) => [result.volunteerId, result.outcome]),
      [['v1', 'reported']],
      'without --erasure-list only the backup’s own erasures; the report-only hook says so',
    );
  },
);

t.test('backup and restore write into an existing empty directory', async (t) => {
  const root = temporaryDirectory(t);
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  await opened.close();
  const out = join(root, 'backup');
  const restored = join(root, 'restored');
  mkdirSync(out);
  mkdirSync(restored);
  const manifest = await backupDataDir({ dataDir, out });
  t.ok(
    manifest.files.some((file) => file.name === EVENT_STORE_FILE),
    'the backup took the empty directory',
  );
  await restoreDataDir({ from: out, dataDir: restored, erasureHook: reportOnlyErasureHook });
  t.ok(existsSync(join(restored, EVENT_STORE_FILE)), 'so did the restore');
  t.same(
    readdirSync(root).sort(),
    ['backup', 'data', 'restored'],
    'and no staging directory is left beside them',
  );
});

t.test('a restore whose check fails leaves no data directory and no staging directory', async (t) => {
  const root = temporaryDirectory(t);
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  await opened.close();
  const out = join(root, 'backup');
  await backupDataDir({ dataDir, out });
  const checked: string[] = [];
  const report = await restoreDataDir({
    from: out,
    dataDir: join(root, 'restored'),
    erasureHook: reportOnlyErasureHook,
    check: (stagingDir) => {
      checked.push(stagingDir);
      t.ok(existsSync(join(stagingDir, EVENT_STORE_FILE)), 'the check sees the restored files');
      t.notOk(existsSync(join(root, 'restored')), 'before anything is at the data directory');
      return Promise.resolve(false);
    },
  });
  t.equal(checked.length, 1);
  t.equal(report.placed, false);
  t.same(readdirSync(root).sort(), ['backup', 'data'], 'nothing restored, nothing staged');
});
