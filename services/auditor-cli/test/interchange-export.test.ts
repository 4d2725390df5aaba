/**
 * `pnpm ledger export-records` and `import-records` as a user runs them: the CSV starts with a
 * UTF-8 BOM and has the documented columns, Chinese text round-trips through CSV and JSON, the
 * month bounds what is exported, an erased volunteer appears without personal fields (and none of
 * their personal data is anywhere in the files), a bad period or format is a usage error, and an
 * import summarises its rejections on stdout and writes them to its report.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { INTERCHANGE_COLUMNS, parseCsvObjects } from '@timebank/application';
import { ADMIN, freshDataDir, nationalIdNumber, openAt } from './interchange-fixtures.js';

function ledgerCommand(dataDir: string, args: string[]) {
  return spawnSync('pnpm', ['--silent', 'ledger', ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, LEDGER_STORE: '', LEDGER_MASTER_KEY: '', LEDGER_NATIONAL_ID_KEY: '' },
    timeout: 120_000,
  });
}

const NOW_MS = Date.parse('2026-12-01T04:00:00.000Z');

async function seed(dataDir: ReturnType<typeof freshDataDir>) {
  const opened = await openAt(dataDir, NOW_MS);
  const register = async (index: number, name: string, phone: string, platform?: string) => {
    await opened.ledger.execute({
      type: 'RegisterVolunteer',
      idempotencyKey: `register-${index}`,
      actor: ADMIN,
      name,
      nationalIdNumber: nationalIdNumber(index),
      phone,
      community: 'c1',
      ...(platform === undefined ? {} : { platformVolunteerNumber: platform }),
    });
    return (await opened.ledger.volunteerIdForNationalId(nationalIdNumber(index)))!;
  };
  const kept = await register(1, '王小明', '13911112222', 'P20261101');
  const erased = await register(2, '李秀英', '13733334444', 'P20261102');
  const service = async (volunteerId: string, key: string, startAt: string, grade: 'good' | 'standard') =>
    opened.ledger.execute({
      type: 'ImportServiceRecord',
      idempotencyKey: key,
      actor: ADMIN,
      volunteerId,
      activity: '社区助老服务，陪伴"独居"老人',
      organisationId: 'org1',
      startAt,
      endAt: new Date(Date.parse(startAt) + 2 * 3_600_000).toISOString(),
      qualityGrade: grade,
      source: { system: 'national_platform', recordId: `qr-${key}` },
    });
  await service(kept, 'nov-1', '2026-11-05T01:00:00.000Z', 'good');
  await service(kept, 'oct-1', '2026-10-20T01:00:00.000Z', 'standard');
  await service(erased, 'nov-2', '2026-11-06T01:00:00.000Z', 'standard');
  // 2026-10-31T17:00Z is 01:00 on 1 November in Shijiazhuang: the month is local.
  await service(erased, 'nov-edge', '2026-10-31T17:00:00.000Z', 'standard');
  await opened.ledger.execute({
    type: 'RecordTraining',
    idempotencyKey: 'training-1',
    actor: ADMIN,
    volunteerId: kept,
    title: '急救知识培训',
    provider: '石家庄市红十字会',
    completedOn: '2026-11-10',
    durationMinutes: 90,
  });
  await opened.ledger.execute({
    type: 'RecordCommendation',
    idempotencyKey: 'commendation-1',
    actor: ADMIN,
    volunteerId: kept,
    title: '优秀志愿者',
    awardedBy: '长安区民政局',
    awardedOn: '2026-11-20',
  });
  await opened.ledger.execute({
    type: 'ErasePersonalData',
    idempotencyKey: 'erase-2',
    actor: ADMIN,
    volunteerId: erased,
    reason: 'consent_withdrawn',
  });
  await opened.close();
  return { kept, erased };
}

t.test(
  'export-records writes the month as CSV with BOM and as JSON; erased volunteers carry no personal fields',
  async (t) => {
    const data = freshDataDir('timebank-export-');
    t.teardown(() => data.remove());
    const { kept, erased } = await seed(data);
    const out = join(data.dataDir, 'platform');

    const verified = ledgerCommand(data.dataDir, ['verify', '--quiet']);
    t.equal(
      verified.status,
      0,
      `the imported and new kinds of events verify: ${verified.stdout}${verified.stderr}`,
    );
    const exported = ledgerCommand(data.dataDir, ['export-records', '--period', '2026-11', '--out', out]);
    t.equal(exported.status, 0, exported.stderr);
    t.match(
      exported.stdout,
      /exported 2 volunteers, 3 service records, 1 trainings, 1 commendations and 3 evaluations for 2026-11/,
    );
    t.match(exported.stderr, /export-records: \d+ events read/, 'progress on stderr');

    for (const file of ['records-2026-11.csv', 'records-2026-11.json']) {
      t.equal(statSync(join(out, file)).mode & 0o777, 0o600, `${file} is readable by its owner only`);
    }
    t.same(
      readdirSync(out).filter((name) => name.includes('.partial-')),
      [],
      'no partial file is left beside them',
    );
    const csvBytes = readFileSync(join(out, 'records-2026-11.csv'));
    t.same([...csvBytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the CSV starts with a UTF-8 BOM');
    const csvText = csvBytes.toString('utf8');
    t.equal(
      csvText.slice(1).split('\r\n')[0],
      INTERCHANGE_COLUMNS.join(','),
      'the documented columns, in order',
    );
    const rows = parseCsvObjects(csvText);
    const document = JSON.parse(readFileSync(join(out, 'records-2026-11.json'), 'utf8')) as {
      format: string;
      version: number;
      period: string;
      records: Record<string, string>[];
    };
    t.match(document, { format: 'timebank-interchange', version: 1, period: '2026-11' });
    const withoutEmpty = (row: Record<string, string>) =>
      Object.fromEntries(Object.entries(row).filter(([, value]) => value !== ''));
    t.same(rows, document.records.map(withoutEmpty), 'CSV and JSON hold the same rows');

    const volunteer = rows.find((row) => row.record_kind === 'volunteer' && row.volunteer_id === kept)!;
    t.match(volunteer, {
      name: '王小明',
      phone: '13911112222',
      platform_volunteer_number: 'P20261101',
      national_id_masked: /^1301\*+\d{3}[0-9X]$/,
      community: 'c1',
      personal_data_erased: 'false',
    });
    const gone = rows.find((row) => row.record_kind === 'volunteer' && row.volunteer_id === erased)!;
    t.equal(gone.personal_data_erased, 'true');
    for (const field of ['name', 'phone', 'national_id_masked', 'platform_volunteer_number'])
      t.notOk(field in gone, `the erased volunteer has no ${field}`);
    for (const text of ['李秀英', '13733334444', 'P20261102'])
      for (const file of ['records-2026-11.csv', 'records-2026-11.json'])
        t.notOk(readFileSync(join(out, file), 'utf8').includes(text), `${file} does not contain ${text}`);

    const services = rows.filter((row) => row.record_kind === 'service');
    t.same(
      services.map((row) => row.source_record_id).sort(),
      ['qr-nov-1', 'qr-nov-2', 'qr-nov-edge'],
      "the month's confirmed service, local month bounds, October left out",
    );
    t.equal(
      services[0]!.activity,
      '社区助老服务，陪伴"独居"老人',
      'Chinese text, commas and quotes round-trip',
    );
    t.match(
      services.find((row) => row.source_record_id === 'qr-nov-1'),
      {
        source_system: 'national_platform',
        duration_minutes: '120',
        organisation_id: 'org1',
      },
    );
    const evaluations = rows.filter((row) => row.record_kind === 'evaluation');
    t.equal(evaluations.length, 3);
    t.ok(
      evaluations.some((row) => row.quality_grade === 'good'),
      'the evaluation of each record is its quality grade',
    );
    t.match(
      rows.find((row) => row.record_kind === 'training'),
      {
        title: '急救知识培训',
        provider: '石家庄市红十字会',
        completed_on: '2026-11-10',
        duration_minutes: '90',
      },
    );
    t.match(
      rows.find((row) => row.record_kind === 'commendation'),
      {
        title: '优秀志愿者',
        awarded_by: '长安区民政局',
        awarded_on: '2026-11-20',
      },
    );

    const onlyJson = ledgerCommand(data.dataDir, [
      'export-records',
      '--period',
      '2026-10',
      '--out',
      join(out, 'oct'),
      '--format',
      'json',
    ]);
    t.equal(onlyJson.status, 0, onlyJson.stderr);
    t.ok(existsSync(join(out, 'oct', 'records-2026-10.json')));
    t.notOk(existsSync(join(out, 'oct', 'records-2026-10.csv')), '--format json writes no CSV');
  },
);

t.test('a bad period or format is a usage error that says what to type', async (t) => {
  const data = freshDataDir('timebank-export-args-');
  t.teardown(() => data.remove());
  const aFile = join(data.dataDir, 'not-a-directory.csv');
  writeFileSync(aFile, 'x');
  for (const [args, pattern] of [
    [
      ['export-records', '--period', '2026-11', '--out', aFile],
      /--out .*not-a-directory\.csv is a file, not a directory/,
    ],
    [['export-records'], /needs --period YYYY-MM/],
    [['export-records', '--period', '2026-13'], /--period must be a month YYYY-MM/],
    [['export-records', '--period', '11/2026'], /--period must be a month YYYY-MM/],
    [['export-records', '--period', '2026-11', '--format', 'xml'], /--format must be csv, json or both/],
    [['import-records'], /import-records needs a file/],
    [['import-records', 'records.xlsx'], /reads a \.csv or \.json file/],
    [['verify', '--period', '2026-11'], /--period and --format belong to the export-records command/],
  ] as const) {
    const result = ledgerCommand(data.dataDir, [...args]);
    t.equal(result.status, 2, `${args.join(' ')} → exit 2`);
    t.match(result.stderr, pattern);
  }
});

t.test(
  'import-records summarises on stdout, writes the report, and a rerun from JSON adds nothing',
  async (t) => {
    const data = freshDataDir('timebank-import-cli-');
    t.teardown(() => data.remove());
    await (await openAt(data, NOW_MS)).close();
    const header =
      'record_kind,source_system,source_record_id,platform_volunteer_number,name,national_id_number,phone,community';
    const good = `volunteer,national_platform,v-1,P1,张伟,${nationalIdNumber(5)},13800000001,c1`;
    const bad = `volunteer,national_platform,v-2,P2,刘洋,${nationalIdNumber(6).slice(0, 17)}0,13800000002,c1`;
    const file = join(data.dataDir, 'in.csv');
    writeFileSync(file, `\uFEFF${header}\r\n${good}\r\n${bad}\r\n`);
    const first = ledgerCommand(data.dataDir, ['import-records', file]);
    t.equal(first.status, 1, 'rejected rows are findings: exit 1');
    t.match(
      first.stdout,
      /imported 1 of 2 rows \(0 already present, 1 rejected: INVALID_NATIONAL_ID 1\); report in /,
    );
    t.match(first.stderr, /import-records: 2\/2 rows/);
    const report = JSON.parse(readFileSync(`${file}.report.json`, 'utf8')) as { rejections: unknown[] };
    t.equal(statSync(`${file}.report.json`).mode & 0o777, 0o600, 'the report is readable by its owner only');
    t.same(report.rejections, [
      {
        row: 2,
        field: 'national_id_number',
        code: 'INVALID_NATIONAL_ID',
        message: 'the ID number is malformed or its check digit is wrong',
        sourceRecordId: 'v-2',
      },
    ]);

    const json = join(data.dataDir, 'in.json');
    const columns = header.split(',');
    writeFileSync(
      json,
      JSON.stringify({
        format: 'timebank-interchange',
        version: 1,
        records: [Object.fromEntries(good.split(',').map((value, index) => [columns[index], value]))],
      }),
    );
    const again = ledgerCommand(data.dataDir, [
      'import-records',
      json,
      '--report',
      join(data.dataDir, 'r.json'),
      '--json',
    ]);
    t.equal(again.status, 0, again.stderr);
    t.match(JSON.parse(again.stdout), { rowsTotal: 1, landed: 0, alreadyPresent: 1, rejected: 0 });
    t.ok(existsSync(join(data.dataDir, 'r.json')));
  },
);
