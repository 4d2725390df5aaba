/**
 * Acceptance for `pnpm ledger import-records`: a generated 10,000-row file with 3 % bad rows of
 * various kinds. The good rows land exactly once across two runs of the same file; every bad row
 * is reported with its row number, field and code; and nothing lands partially (a rejected
 * volunteer takes their records with them, an imported service record is recorded and confirmed
 * together or not at all).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { formatCsv, INTERCHANGE_COLUMNS } from '@timebank/application';
import type { RecordedEvent } from '@timebank/event-store';
import { LedgerOpenError } from '@timebank/ledger-opener';
import { runImportRecords } from '../src/interchange-commands.js';
import { freshDataDir, nationalIdNumber, openAt, platformVolunteerRow } from './interchange-fixtures.js';

const NOW_MS = Date.parse('2026-12-01T04:00:00.000Z');
const VOLUNTEERS = 2000;
const HOUR_MS = 3_600_000;

type Row = Record<string, string>;
interface Expected {
  readonly row: number;
  readonly code: string;
  readonly field: string | null;
}

/** 2,000 volunteers, 6,000 service records, 1,000 trainings, 1,000 commendations; then 300 rows spoiled. */
function generate(): { rows: Row[]; bad: Expected[] } {
  const rows: Row[] = [];
  for (let index = 0; index < VOLUNTEERS; index += 1) {
    const platform = `P${String(index).padStart(7, '0')}`;
    rows.push(platformVolunteerRow(index, `c${index % 20}`));
    for (let service = 0; service < 3; service += 1) {
      // Days 2, 5 and 8 of November 2026 (UTC+8 mornings), two hours each: no overlap.
      const startMs = Date.parse('2026-11-02T01:00:00.000Z') + service * 3 * 24 * HOUR_MS;
      rows.push({
        record_kind: 'service',
        source_system: 'national_platform',
        source_record_id: `svc-${index}-${service}`,
        platform_volunteer_number: platform,
        activity: '社区助老服务',
        organisation_id: `org-${index % 7}`,
        start_at: new Date(startMs).toISOString(),
        end_at: new Date(startMs + 2 * HOUR_MS).toISOString(),
        quality_grade: service === 0 ? 'good' : 'standard',
      });
    }
    if (index % 2 === 0)
      rows.push({
        record_kind: 'training',
        source_system: 'national_platform',
        source_record_id: `trn-${index}`,
        platform_volunteer_number: platform,
        title: '志愿服务通用培训',
        provider: '石家庄市志愿服务联合会',
        completed_on: '2026-11-10',
        duration_minutes: '90',
      });
    else
      rows.push({
        record_kind: 'commendation',
        source_system: 'city_platform',
        source_record_id: `cmd-${index}`,
        platform_volunteer_number: platform,
        title: '优秀志愿者',
        awarded_by: '长安区民政局',
        awarded_on: '2026-11-20',
      });
  }
  return spoil(rows);
}

/** Spoils 300 rows (3 %), ten ways, 30 each; a spoiled volunteer row also rejects that volunteer's four records. */
function spoil(rows: Row[]): { rows: Row[]; bad: Expected[] } {
  const bad: Expected[] = [];
  const ways: ((row: Row, position: number) => Expected | null)[] = [
    (row, position) => {
      if (row.record_kind !== 'volunteer') return null;
      const id = row.national_id_number!;
      row.national_id_number = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
      return { row: position, code: 'INVALID_NATIONAL_ID', field: 'national_id_number' };
    },
    (row, position) => {
      if (row.record_kind !== 'service') return null;
      row.end_at = '2027-01-01T00:00:00.000Z';
      return { row: position, code: 'SERVICE_END_IN_FUTURE', field: 'end_at' };
    },
    (row, position) => {
      if (row.record_kind !== 'service') return null;
      row.end_at = new Date(Date.parse(row.start_at!) + 13 * HOUR_MS).toISOString();
      return { row: position, code: 'SERVICE_RECORD_TOO_LONG', field: 'end_at' };
    },
    (row, position) => {
      if (row.record_kind !== 'service') return null;
      delete row.activity;
      return { row: position, code: 'MISSING_FIELD', field: 'activity' };
    },
    (row, position) => {
      if (row.record_kind !== 'service') return null;
      row.start_at = '2026/11/02 09:00';
      return { row: position, code: 'INVALID_FIELD', field: 'start_at' };
    },
    (row, position) => {
      if (row.record_kind !== 'training') return null;
      row.duration_minutes = '一个半小时';
      return { row: position, code: 'INVALID_FIELD', field: 'duration_minutes' };
    },
    (row, position) => {
      if (row.record_kind !== 'commendation') return null;
      row.platform_volunteer_number = 'NOSUCH1';
      return { row: position, code: 'VOLUNTEER_NOT_FOUND', field: 'platform_volunteer_number' };
    },
    (row, position) => {
      if (row.record_kind !== 'commendation') return null;
      row.record_kind = 'award';
      return { row: position, code: 'UNKNOWN_RECORD_KIND', field: 'record_kind' };
    },
    (row, position) => {
      if (row.record_kind !== 'commendation') return null;
      row.awarded_on = '2026-02-30';
      return { row: position, code: 'INVALID_FIELD', field: 'awarded_on' };
    },
    (row, position) => {
      if (row.record_kind !== 'volunteer') return null;
      row.phone = 'call me';
      return { row: position, code: 'INVALID_FIELD', field: 'phone' };
    },
  ];
  // Spread over the file: way w spoils rows of its kind found from a deterministic stride.
  let cursor = 7;
  for (const way of ways) {
    let spoiled = 0;
    while (spoiled < (way === ways[0] || way === ways[9] ? 6 : 36)) {
      cursor = (cursor + 331) % rows.length;
      const row = rows[cursor]!;
      if (
        row.spoiled === 'yes' ||
        (row.record_kind !== 'volunteer' && rows[volunteerRowOf(rows, cursor)]!.spoiled === 'yes')
      )
        continue;
      const expected = way(row, cursor + 1);
      if (expected === null) continue;
      row.spoiled = 'yes';
      bad.push(expected);
      spoiled += 1;
      if (row.record_kind === 'volunteer' || expected.code === 'INVALID_NATIONAL_ID') {
        // The volunteer's four records follow their row; none of them may land.
        for (let next = cursor + 1; next <= cursor + 4; next += 1) {
          rows[next]!.spoiled = 'yes';
          bad.push({ row: next + 1, code: 'VOLUNTEER_ROW_REJECTED', field: 'platform_volunteer_number' });
        }
      }
    }
  }
  // An exact duplicate of a good service row: the second copy is the bad one.
  const original = rows.findIndex((row) => row.record_kind === 'service' && row.spoiled !== 'yes');
  rows.push({ ...rows[original]! });
  bad.push({ row: rows.length, code: 'DUPLICATE_SOURCE_RECORD', field: 'source_record_id' });
  for (const row of rows) delete row.spoiled;
  return { rows, bad: bad.sort((a, b) => a.row - b.row) };
}

function volunteerRowOf(rows: readonly Row[], position: number): number {
  let index = position;
  while (rows[index]!.record_kind !== 'volunteer' && index > 0) index -= 1;
  return index;
}

async function allEvents(store: {
  readAll: (o: { fromPosition?: bigint; maxCount: number }) => Promise<RecordedEvent[]>;
}) {
  const events: RecordedEvent[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await store.readAll({
      ...(after === undefined ? {} : { fromPosition: after }),
      maxCount: 1000,
    });
    events.push(...page);
    if (page.length < 1000) return events;
    after = page.at(-1)!.position;
  }
}

t.test(
  'a 10,000-row file with 3 % bad rows: good rows land once over two runs, bad rows are reported',
  async (t) => {
    const data = freshDataDir('timebank-import-');
    t.teardown(() => data.remove());
    (await openAt(data, NOW_MS)).close();
    const { rows, bad } = generate();
    t.ok(rows.length >= 10_000, `${rows.length} rows`);
    t.ok(
      bad.length >= 0.03 * 10_000,
      `${bad.length} bad rows (3 % spoiled, plus the records of rejected volunteers)`,
    );
    const file = join(data.dataDir, 'from-platform.csv');
    writeFileSync(file, formatCsv(INTERCHANGE_COLUMNS, rows));
    const backend = {
      store: { engine: 'sqlite' as const, dataDir: data.dataDir },
      readModelDataDir: data.dataDir,
    };
    const progress: string[] = [];
    const run = () =>
      runImportRecords({
        backend,
        file,
        report: undefined,
        environment: {},
        clock: () => NOW_MS,
        onProgress: (line) => progress.push(line),
      });

    let started = Date.now();
    const first = await run();
    t.comment(`first run: ${Date.now() - started} ms`);
    started = Date.now();
    const good = rows.length - bad.length;
    t.equal(first.landed, good, 'every good row lands');
    t.equal(first.alreadyPresent, 0);
    t.same(
      first.rejections.map(({ row, code, field }) => ({ row, code, field })),
      bad,
      'every bad row is rejected with its row number, field and code, and no good row is',
    );
    t.ok(
      progress.some((line) => /^import-records: 1000\/\d+ rows/.test(line)),
      'progress is reported',
    );

    const second = await run();
    t.comment(`second run: ${Date.now() - started} ms`);
    t.equal(second.landed, 0, 'a second run of the same file adds nothing');
    t.equal(second.alreadyPresent, good, 'it finds every good row already imported');
    t.same(second.rejections, first.rejections, 'and rejects the same rows for the same reasons');

    const opened = await openAt(data, NOW_MS);
    t.teardown(() => opened.close());
    const events = await allEvents(opened.store);
    const count = (type: string) => events.filter((event) => event.type === type).length;
    const goodRows = rows.filter((_row, index) => !bad.some((expected) => expected.row === index + 1));
    const goodOf = (kind: string) => goodRows.filter((row) => row.record_kind === kind).length;
    t.equal(count('VolunteerRegistered'), goodOf('volunteer'), 'each good volunteer registered once');
    t.equal(count('ServiceHoursRecorded'), goodOf('service'), 'each good service record once');
    t.equal(count('ServiceHoursConfirmed'), goodOf('service'), 'and confirmed once');
    t.equal(count('TrainingRecorded'), goodOf('training'));
    t.equal(count('CommendationRecorded'), goodOf('commendation'));
    const sources = events
      .filter((event) => event.type === 'ServiceHoursRecorded')
      .map((event) => (event.data.source as { recordId: string }).recordId);
    t.equal(new Set(sources).size, sources.length, 'no source record lands twice');
    const badSources = new Set(bad.map((expected) => rows[expected.row - 1]!.source_record_id));
    t.notOk(
      sources.some((id) => badSources.has(id) && !goodRows.some((row) => row.source_record_id === id)),
      'no bad row left a record',
    );
    // Nothing partial: a record and its confirmation are one append (same position run, same key).
    const byKey = new Map<string, string[]>();
    for (const event of events) {
      const key = event.metadata.idempotencyKey ?? '';
      if (!key.startsWith('interchange:national_platform:service:')) continue;
      byKey.set(key, [...(byKey.get(key) ?? []), event.type]);
    }
    t.ok(
      [...byKey.values()].every(
        (types) => types[0] === 'ServiceHoursRecorded' && types[1] === 'ServiceHoursConfirmed',
      ),
      'every imported service record is recorded and confirmed by the one command',
    );
    const someone = (await opened.ledger.volunteerIdForNationalId(nationalIdNumber(3)))!;
    const state = (await opened.ledger.load('volunteer', someone)).state;
    t.equal(state.platformVolunteerNumber, 'P0000003', 'the platform number is kept as an external id');
    t.equal(state.name, '志愿者3号');
  },
);

t.test(
  'import-records refuses a national-ID key other than the ledger’s, before importing anything',
  async (t) => {
    const data = freshDataDir('timebank-import-key-');
    t.teardown(() => data.remove());
    await (await openAt(data, NOW_MS)).close();
    const backend = {
      store: { engine: 'sqlite' as const, dataDir: data.dataDir },
      readModelDataDir: data.dataDir,
    };
    const file = join(data.dataDir, 'one.csv');
    const row = (index: number) => platformVolunteerRow(index, 'c1');
    writeFileSync(file, formatCsv(INTERCHANGE_COLUMNS, [row(1)]));
    // The ledger's own key (national-id.key) registers the first volunteer and the key's fingerprint.
    const first = await runImportRecords({ backend, file, report: undefined, environment: {} });
    t.equal(first.landed, 1, JSON.stringify(first.rejectedByCode));
    // Another key would hash ID numbers differently: the same person would be registered again.
    writeFileSync(file, formatCsv(INTERCHANGE_COLUMNS, [row(1), row(2)]));
    const refused = await runImportRecords({
      backend,
      file,
      report: undefined,
      environment: { LEDGER_NATIONAL_ID_KEY: 'another-key-'.repeat(4) },
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    t.ok(refused instanceof LedgerOpenError, 'refused as the server refuses it at start');
    t.equal((refused as LedgerOpenError).reason, 'wrong-key');
    t.match(
      (refused as Error).message,
      /national-ID key .* is not the one this ledger registers volunteers under/,
    );
  },
);

t.test(
  'import-records on a data directory the API never opened says how to create it, and writes nothing',
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'timebank-import-new-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const file = join(dataDir, 'one.csv');
    writeFileSync(file, formatCsv(INTERCHANGE_COLUMNS, [platformVolunteerRow(1, 'c1')]));
    const refused = await runImportRecords({
      backend: { store: { engine: 'sqlite', dataDir }, readModelDataDir: dataDir },
      file,
      report: undefined,
      environment: {},
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    t.ok(refused instanceof Error, 'refused');
    t.match(
      (refused as Error).message,
      /LEDGER_NATIONAL_ID_KEY is not set and there is no .*national-id\.key: .*start the API once on this data directory .*or set LEDGER_NATIONAL_ID_KEY/,
      'names the missing key and the two ways to provide it',
    );
    t.same(readdirSync(dataDir), ['one.csv'], 'nothing written: no store, no keys, no report');
  },
);

t.test(
  'a record row whose platform number and volunteer number disagree is rejected, not imported for either',
  async (t) => {
    const data = freshDataDir('timebank-import-numbers-');
    t.teardown(() => data.remove());
    await (await openAt(data, NOW_MS)).close();
    const backend = {
      store: { engine: 'sqlite' as const, dataDir: data.dataDir },
      readModelDataDir: data.dataDir,
    };
    const run = async (rows: Row[]) => {
      const file = join(data.dataDir, `rows-${rows.length}.csv`);
      writeFileSync(file, formatCsv(INTERCHANGE_COLUMNS, rows));
      return runImportRecords({ backend, file, report: undefined, environment: {}, clock: () => NOW_MS });
    };
    t.equal((await run([platformVolunteerRow(1, 'c1'), platformVolunteerRow(2, 'c1')])).landed, 2);
    const numberOf = async (index: number) => {
      const opened = await openAt(data, NOW_MS);
      try {
        const id = (await opened.ledger.volunteerIdForNationalId(nationalIdNumber(index)))!;
        return { id, number: (await opened.ledger.load('volunteer', id)).state.volunteerNumber! };
      } finally {
        await opened.close();
      }
    };
    const first = await numberOf(1);
    const second = await numberOf(2);
    const service = (id: string, day: number, numbers: Partial<Row>): Row => ({
      record_kind: 'service',
      source_system: 'national_platform',
      source_record_id: id,
      activity: '社区助老服务',
      organisation_id: 'org1',
      start_at: `2026-11-${String(day).padStart(2, '0')}T01:00:00.000Z`,
      end_at: `2026-11-${String(day).padStart(2, '0')}T03:00:00.000Z`,
      ...numbers,
    });
    const report = await run([
      service('s-mismatch', 2, { platform_volunteer_number: 'P0000001', volunteer_number: second.number }),
      service('s-unknown-number', 3, {
        platform_volunteer_number: 'P0000001',
        volunteer_number: 'TB000000000',
      }),
      service('s-agree', 4, { platform_volunteer_number: 'P0000001', volunteer_number: first.number }),
      service('s-unknown-platform', 5, {
        platform_volunteer_number: 'PNEW0001',
        volunteer_number: second.number,
      }),
      service('s-nobody', 6, { platform_volunteer_number: 'PNEW0002', volunteer_number: 'TB000000000' }),
    ]);
    t.same(
      report.rejections.map(({ row, code, field }) => ({ row, code, field })),
      [
        { row: 1, code: 'VOLUNTEER_NUMBER_MISMATCH', field: 'volunteer_number' },
        { row: 2, code: 'VOLUNTEER_NOT_FOUND', field: 'volunteer_number' },
        { row: 5, code: 'VOLUNTEER_NOT_FOUND', field: 'platform_volunteer_number' },
      ],
      'the two numbers must name one volunteer; an unknown platform number goes by volunteer_number',
    );
    t.equal(report.landed, 2);
    const opened = await openAt(data, NOW_MS);
    t.teardown(() => opened.close());
    const recordsOf = async (id: string) =>
      (await allEvents(opened.store))
        .filter((event) => event.type === 'ServiceHoursRecorded' && event.streamName.endsWith(id))
        .map((event) => (event.data.source as { recordId: string }).recordId);
    t.same(await recordsOf(first.id), ['s-agree'], 'the first volunteer has only the row that agrees');
    t.same(await recordsOf(second.id), ['s-unknown-platform'], 'the second only the row named by its number');
  },
);
