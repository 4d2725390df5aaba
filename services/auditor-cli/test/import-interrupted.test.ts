/**
 * `pnpm ledger import-records` stopped by Ctrl-C: every row started finishes, no other starts, the
 * report says how many were left, and a rerun of the same file imports exactly those.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { formatCsv, INTERCHANGE_COLUMNS } from '@timebank/application';
import { runImportRecords } from '../src/interchange-commands.js';
import { freshDataDir, openAt, platformVolunteerRow, type DataDir } from './interchange-fixtures.js';
import { runAndSignal } from './ledger-process.js';

const NOW_MS = Date.parse('2026-12-01T04:00:00.000Z');

/** `volunteers` volunteers from the platform, each with one two-hour service record in November. */
function importFile(data: DataDir, volunteers: number): string {
  const rows: Record<string, string>[] = [];
  for (let index = 0; index < volunteers; index += 1) {
    const platform = `P${String(index).padStart(7, '0')}`;
    rows.push(platformVolunteerRow(index, `c${index % 5}`));
    rows.push({
      record_kind: 'service',
      source_system: 'national_platform',
      source_record_id: `svc-${index}`,
      platform_volunteer_number: platform,
      activity: '社区助老服务',
      organisation_id: 'org-1',
      start_at: '2026-11-02T01:00:00.000Z',
      end_at: '2026-11-02T03:00:00.000Z',
      quality_grade: 'good',
    });
  }
  const file = join(data.dataDir, 'from-platform.csv');
  writeFileSync(file, formatCsv(INTERCHANGE_COLUMNS, rows));
  return file;
}

async function eventCount(data: DataDir, type: string): Promise<number> {
  const opened = await openAt(data, NOW_MS);
  try {
    return (await opened.store.readAll({ maxCount: 10_000 })).filter((event) => event.type === type).length;
  } finally {
    await opened.close();
  }
}

t.test('stopped after the first 1,000 rows: the rest is left, counted, and a rerun brings it', async (t) => {
  const data = freshDataDir('timebank-import-stopped-');
  t.teardown(() => data.remove());
  (await openAt(data, NOW_MS)).close();
  const file = importFile(data, 800);
  const backend = {
    store: { engine: 'sqlite' as const, dataDir: data.dataDir },
    readModelDataDir: data.dataDir,
  };
  const controller = new AbortController();
  const first = await runImportRecords({
    backend,
    file,
    report: undefined,
    environment: {},
    clock: () => NOW_MS,
    signal: controller.signal,
    // The first progress line comes after 1,000 rows: Ctrl-C there.
    onProgress: () => controller.abort(),
  });
  t.equal(first.rowsTotal, 1600);
  t.ok(first.rowsNotAttempted > 0, `${first.rowsNotAttempted} rows were left`);
  t.equal(
    first.rejections.length,
    0,
    'no row was rejected for the stop (records of volunteers never reached)',
  );
  t.equal(first.landed + first.rowsNotAttempted, first.rowsTotal, 'every row landed or was left');
  t.equal(statSync(first.reportFile).mode & 0o777, 0o600, 'the report was written');

  const second = await runImportRecords({
    backend,
    file,
    report: undefined,
    environment: {},
    clock: () => NOW_MS,
  });
  t.equal(second.rowsNotAttempted, 0);
  t.equal(second.landed, first.rowsNotAttempted, 'the rerun imports what was left');
  t.equal(second.alreadyPresent, first.landed, 'and finds the rest already there');
  t.equal(await eventCount(data, 'VolunteerRegistered'), 800, 'each volunteer registered once');
  t.equal(await eventCount(data, 'ServiceHoursConfirmed'), 800, 'each record confirmed once');
});

t.test('stopped before it began: nothing is tried, nothing is rejected', async (t) => {
  const data = freshDataDir('timebank-import-stopped-early-');
  t.teardown(() => data.remove());
  (await openAt(data, NOW_MS)).close();
  const file = importFile(data, 20);
  const report = await runImportRecords({
    backend: { store: { engine: 'sqlite', dataDir: data.dataDir }, readModelDataDir: data.dataDir },
    file,
    report: undefined,
    environment: {},
    clock: () => NOW_MS,
    signal: AbortSignal.abort(),
  });
  t.match(report, { rowsTotal: 40, landed: 0, alreadyPresent: 0, rowsNotAttempted: 40, rejections: [] });
});

t.test('Ctrl-C on the real command: exit 130 and one line saying what was left', async (t) => {
  const data = freshDataDir('timebank-import-sigint-');
  t.teardown(() => data.remove());
  (await openAt(data, NOW_MS)).close();
  const file = importFile(data, 2000);
  const run = await runAndSignal(
    ['import-records', file, '--data-dir', data.dataDir],
    /import-records: 1000\/4000 rows/,
    'SIGINT',
  );
  t.ok(run.sent, 'the signal was sent during the import');
  t.equal(run.status, 130, run.stderr);
  t.match(
    run.stderr,
    /^ledger import-records: stopped with \d+ of 4000 rows not attempted \(\d+ landed, 0 already present, 0 rejected\); run it again with the same file for the rest; report in .*from-platform\.csv\.report\.json$/m,
  );
});
