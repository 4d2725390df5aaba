/**
 * Regressions found by QA against `pnpm ledger export-records` / `import-records`:
 * - a donation-pool beneficiary's spending account lives on the volunteer stream family, and the
 *   export listed it as a volunteer of the national platform (with a 1970 registration date);
 * - a file that cannot be read as an interchange table at all (empty, not UTF-8, no `record_kind`
 *   column, binary garbage) was "imported" row by row as thousands of MISSING_FIELD rejections
 *   with exit 1, instead of the documented exit 2 for a file that cannot be read as a whole.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SYSTEM_ACTOR } from '@timebank/domain';
import { requireServerUrl } from '@timebank/event-store/testing';
import { ADMIN, freshDataDir, nationalIdNumber, openAt } from './interchange-fixtures.js';

const postgresUrl = requireServerUrl('POSTGRES_URL');

function ledgerCommand(dataDir: string, args: string[]) {
  return spawnSync('pnpm', ['--silent', 'ledger', ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, LEDGER_STORE: '', LEDGER_MASTER_KEY: '', LEDGER_NATIONAL_ID_KEY: '' },
    timeout: 120_000,
  });
}

const NOW_MS = Date.parse('2026-12-01T04:00:00.000Z');

t.test('export-records lists volunteers only, never a donation-pool beneficiary', async (t) => {
  const data = freshDataDir('timebank-export-beneficiary-');
  t.teardown(() => data.remove());
  const opened = await openAt(data, NOW_MS);
  await opened.ledger.execute({
    type: 'RegisterVolunteer',
    idempotencyKey: 'register-1',
    actor: ADMIN,
    name: '王小明',
    nationalIdNumber: nationalIdNumber(1),
    phone: '13911112222',
    community: 'c1',
  });
  await opened.ledger.execute({
    type: 'ConfigureBeneficiaryCategory',
    idempotencyKey: 'category-1',
    actor: ADMIN,
    categoryId: 'alone',
    title: '独居老人',
    priority: 1,
    monthlyAllowanceCentipoints: 100,
  });
  await opened.ledger.execute({
    type: 'RegisterBeneficiary',
    idempotencyKey: 'beneficiary-1',
    actor: ADMIN,
    beneficiaryId: 'b-1',
    categoryId: 'alone',
    community: 'c1',
    name: '王奶奶',
    contact: '0311-5550001',
  });
  // The credit side of an allocation opens the beneficiary's account on `volunteer-b-1`.
  await opened.ledger.execute({
    type: 'ReceivePoolAllocation',
    idempotencyKey: 'allocation-1',
    actor: SYSTEM_ACTOR,
    volunteerId: 'b-1',
    allocationId: 'a-1',
    categoryId: 'alone',
    community: 'c1',
    centipoints: 100,
  });
  await opened.close();

  const out = join(data.dataDir, 'platform');
  const exported = ledgerCommand(data.dataDir, ['export-records', '--period', '2026-12', '--out', out]);
  t.equal(exported.status, 0, exported.stderr);
  t.match(exported.stdout, /exported 1 volunteers,/, 'the beneficiary is not counted as a volunteer');
  const csv = readFileSync(join(out, 'records-2026-12.csv'), 'utf8');
  t.notMatch(csv, /b-1/, 'no row names the beneficiary');
});

t.test('a file that is not an interchange table is exit 2 and imports nothing', async (t) => {
  const data = freshDataDir('timebank-import-unreadable-');
  t.teardown(() => data.remove());
  await (await openAt(data, NOW_MS)).close();
  const header = 'record_kind,source_system,source_record_id,platform_volunteer_number';
  const garbage = Buffer.alloc(2_000_000);
  for (let index = 0; index < garbage.length; index += 1) garbage[index] = (index * 7919 + 13) % 251;
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['empty.csv', '', /empty|no header/i],
    ['bom-only.csv', '\uFEFF', /empty|no header/i],
    ['utf16.csv', Buffer.from(`\uFEFF${header}\r\nvolunteer,x,1,P1\r\n`, 'utf16le'), /UTF-8/],
    ['other-header.csv', 'a,b,c\r\n1,2,3\r\n', /record_kind/],
    ['garbage.csv', garbage, /UTF-8|record_kind/],
    // An unquoted comma (or a lost field) would shift later values into the wrong columns.
    [
      'extra-field.csv',
      `${header}\r\nvolunteer,x,1,P1,extra\r\n`,
      /data row 1 has 5 fields but the header has 4/,
    ],
    ['lost-field.csv', `${header}\r\nvolunteer,x,1,P1\r\nvolunteer,x,2\r\n`, /data row 2 has 3 fields/],
  ];
  for (const [name, content, message] of cases) {
    const file = join(data.dataDir, name);
    writeFileSync(file, content);
    const result = ledgerCommand(data.dataDir, ['import-records', file]);
    t.equal(result.status, 2, `${name}: exit 2 (${result.stdout}${result.stderr})`);
    t.match(result.stderr, message, `${name}: the message says what is wrong`);
    t.notOk(existsSync(`${file}.report.json`), `${name}: no report of row rejections`);
  }
});

t.test('an import whose report cannot be written is refused before any row lands', async (t) => {
  const data = freshDataDir('timebank-import-report-');
  t.teardown(() => data.remove());
  await (await openAt(data, NOW_MS)).close();
  const file = join(data.dataDir, 'platform.csv');
  const content =
    'record_kind,source_system,source_record_id,platform_volunteer_number,name,national_id_number,phone,community\r\n' +
    `volunteer,national_platform,vol-1,P1,王小明,${nationalIdNumber(7)},13911112222,c1\r\n`;
  writeFileSync(file, content);
  const cases: Array<[string, RegExp]> = [
    [join(data.dataDir, 'no-such-directory', 'report.json'), /does not exist/],
    [data.dataDir, /is a directory/],
    [file, /is the import file itself/],
  ];
  for (const [report, message] of cases) {
    const result = ledgerCommand(data.dataDir, ['import-records', file, '--report', report]);
    t.equal(result.status, 2, `--report ${report}: exit 2 (${result.stdout}${result.stderr})`);
    t.match(result.stderr, message, 'the message says what is wrong with --report');
    t.equal(readFileSync(file, 'utf8'), content, 'the import file is untouched');
  }
  const result = ledgerCommand(data.dataDir, ['import-records', file]);
  t.equal(result.status, 0, result.stderr);
  t.match(result.stdout, /imported 1 of 1 rows \(0 already present, 0 rejected\)/, 'nothing landed before');
});

// Found by the CLI QA pass: the file export-records wrote was "imported" as every row rejected
// (source_system timebank, evaluation rows), exit 1, which read as a broken round trip. It is the
// ledger's report to the platform, not the platform's records: refused whole, naming what to use.
t.test('a file export-records wrote is refused whole, naming the commands to use', async (t) => {
  const data = freshDataDir('timebank-import-own-export-');
  t.teardown(() => data.remove());
  const opened = await openAt(data, NOW_MS);
  await opened.ledger.execute({
    type: 'RegisterVolunteer',
    idempotencyKey: 'register-1',
    actor: ADMIN,
    name: '王小明',
    nationalIdNumber: nationalIdNumber(1),
    phone: '13911112222',
    community: 'c1',
  });
  await opened.close();
  const out = join(data.dataDir, 'platform');
  const exported = ledgerCommand(data.dataDir, ['export-records', '--period', '2026-12', '--out', out]);
  t.equal(exported.status, 0, exported.stderr);
  for (const file of ['records-2026-12.csv', 'records-2026-12.json'].map((name) => join(out, name))) {
    const result = ledgerCommand(data.dataDir, ['import-records', file]);
    t.equal(result.status, 2, `${file}: exit 2 (${result.stdout}${result.stderr})`);
    t.match(
      result.stderr,
      /was written by `pnpm ledger export-records` \(source_system timebank\).*nothing was imported\. To copy a ledger use `pnpm ledger backup`/,
    );
    t.notOk(existsSync(`${file}.report.json`), 'no report of row rejections');
  }
  // A platform file laid out like the export (as a template), with the platform's own rows, imports.
  const csv = readFileSync(join(out, 'records-2026-12.csv'), 'utf8').split('\r\n');
  const template = join(data.dataDir, 'from-platform.csv');
  writeFileSync(template, `${csv[0]}\r\n`);
  const empty = ledgerCommand(data.dataDir, ['import-records', template]);
  t.equal(empty.status, 0, `the export's layout alone is not refused: ${empty.stderr}`);

  const bundle = ledgerCommand(data.dataDir, ['import-records', join(out, 'events.ndjson')]);
  t.equal(bundle.status, 2);
  t.match(bundle.stderr, /checked with `pnpm ledger verify --bundle <dir>`, never imported/);
});

// Found by a tester: on PostgreSQL without LEDGER_NATIONAL_ID_KEY the advice was to start the API
// once so that it writes national-id.key, which the API off SQLite never does (it needs the variable).
t.test(
  'import-records off SQLite without the national-ID key says to set the variable',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    // A data directory of its own: no national-id.key in it, as on a PostgreSQL deployment.
    const dataDir = mkdtempSync(join(tmpdir(), 'timebank-import-postgres-key-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const file = join(dataDir, 'rows.csv');
    writeFileSync(file, 'record_kind,source_system,source_record_id,platform_volunteer_number\r\n');
    const result = spawnSync(
      'pnpm',
      [
        '--silent',
        'ledger',
        'import-records',
        file,
        '--store',
        'postgres',
        '--postgres-url',
        postgresUrl!,
        '--postgres-schema',
        'import_key_never_created',
        '--data-dir',
        dataDir,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, LEDGER_STORE: '', LEDGER_NATIONAL_ID_KEY: '' },
        timeout: 120_000,
      },
    );
    t.equal(result.status, 2, result.stderr);
    t.match(
      result.stderr,
      /LEDGER_NATIONAL_ID_KEY is not set: with --store postgres the API runs with that variable/,
    );
    t.notMatch(result.stderr, /start the API once/);
  },
);
