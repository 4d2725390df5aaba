/**
 * An administrator erases a donation-pool beneficiary's name and contact (PIPL Art. 47) by
 * destroying their data key, through HTTP over a real SQLite store: the registration event then
 * opens as `[erased]` (its key is gone), no plain name is left in the data directory, the beneficiary keeps the
 * points already allocated (and may spend them) but later allocation runs leave them out, and
 * the audit chain, `pnpm ledger verify` and a rebuild still pass.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import Database from 'better-sqlite3';
import { ERASURE_LIST_FILE, PERSONAL_KEYS_FILE } from '@timebank/ledger-opener';
import { checkLedgerAfterErasure } from './erasure-checks.js';
import { startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';
import { filesUnder, secretsIn } from './raw-search.js';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..', '..');
const ERASED_NAME = 'Zhou Cuilan';
const ERASED_CONTACT = '0311-5558642';
const KEPT_NAME = 'Wu Xiuying';

async function setUpPool(w: World): Promise<string> {
  const configured = await w.post('/v1/admin/beneficiary-categories', w.admin, {
    categoryId: 'elderly-alone',
    title: 'Elderly living alone',
    priority: 1,
    monthlyAllowanceCentipoints: 300,
  });
  if (configured.statusCode !== 200) throw new Error(`category failed: ${configured.body}`);
  for (const [beneficiaryId, name] of [
    ['b-erased', ERASED_NAME],
    ['b-kept', KEPT_NAME],
  ] as const) {
    const registered = await w.post('/v1/admin/beneficiaries', w.admin, {
      beneficiaryId,
      categoryId: 'elderly-alone',
      community: 'c1',
      name,
      contact: ERASED_CONTACT,
    });
    if (registered.statusCode !== 201) throw new Error(`beneficiary failed: ${registered.body}`);
  }
  const donor = await w.registerVolunteer(8301);
  await w.earn(donor, 10, 30);
  const donated = await w.post(`/v1/volunteers/${donor}/donations`, w.desk, { centipoints: 400 });
  if (donated.statusCode !== 201) throw new Error(`donation failed: ${donated.body}`);
  const run = await w.post('/v1/admin/donation-pool/allocations', w.admin, {});
  if (run.statusCode !== 201) throw new Error(`allocation failed: ${run.body}`);
  return donor;
}

/** The beneficiary's wrapped data key in the key store, or null once destroyed. */
function wrappedKeyOf(directory: string, beneficiaryId: string): Buffer | null | undefined {
  const db = new Database(join(directory, PERSONAL_KEYS_FILE), { readonly: true });
  try {
    const row = db
      .prepare('SELECT wrapped_key FROM data_keys WHERE volunteer_id = ?')
      .get(`beneficiary:${beneficiaryId}`) as { wrapped_key: Buffer | null } | undefined;
    return row?.wrapped_key;
  } finally {
    db.close();
  }
}

t.test("a beneficiary's name and contact are erased; their points account stays", async (t) => {
  const w = await startWorld(t, { RATE_LIMIT_REQUESTS_MAX: '1000000' });
  const donor = await setUpPool(w);
  t.ok(wrappedKeyOf(w.directory, 'b-erased'), "the beneficiary's data key exists before erasure");

  for (const caller of [w.desk, w.partner, w.auditor])
    t.equal(
      (await w.post('/v1/admin/beneficiaries/b-erased/erasure', caller, { reason: 'purpose_met' }))
        .statusCode,
      403,
      'only an administrator erases',
    );
  const unknown = await w.post('/v1/admin/beneficiaries/b-nobody/erasure', w.admin, {
    reason: 'purpose_met',
  });
  t.equal(unknown.statusCode, 404);
  t.equal(problemOf(t, unknown).code, 'BENEFICIARY_NOT_FOUND');
  const badReason = await w.post('/v1/admin/beneficiaries/b-erased/erasure', w.admin, { reason: 'bored' });
  t.equal(badReason.statusCode, 400, 'the reason is one of the erasure reasons');

  const erased = await w.post('/v1/admin/beneficiaries/b-erased/erasure', w.admin, {
    reason: 'service_stopped',
  });
  t.equal(erased.statusCode, 200, erased.body);
  t.match(erased.json(), { beneficiaryId: 'b-erased', reason: 'service_stopped', erasedAt: /Z$/ });
  const again = await w.post('/v1/admin/beneficiaries/b-erased/erasure', w.admin, { reason: 'purpose_met' });
  t.equal(again.statusCode, 409);
  t.equal(problemOf(t, again).code, 'BENEFICIARY_DATA_ERASED');

  t.equal(wrappedKeyOf(w.directory, 'b-erased'), null, 'the data key is destroyed');
  t.ok(wrappedKeyOf(w.directory, 'b-kept'), "the other beneficiary's key is untouched");
  const erasures = readFileSync(join(w.directory, ERASURE_LIST_FILE), 'utf8');
  t.match(erasures, /"volunteerId":"beneficiary:b-erased"/, 'the erasure is listed for restores');
  const [stored] = (await w.store.readStream('donation-pool')).filter(
    (event) => event.type === 'BeneficiaryRegistered' && event.data.beneficiaryId === 'b-erased',
  );
  t.match(stored?.data, { name: /^sealed:v1:/ }, 'the event is unchanged: ciphertext without a key');
  for (const path of filesUnder(w.directory))
    t.same(secretsIn([ERASED_NAME], path, readFileSync(path)), [], `no plain name in ${path}`);

  const twice = await w.post('/v1/admin/beneficiaries', w.admin, {
    beneficiaryId: 'b-erased',
    categoryId: 'elderly-alone',
    community: 'c1',
    name: ERASED_NAME,
    contact: ERASED_CONTACT,
  });
  t.equal(problemOf(t, twice).code, 'BENEFICIARY_ALREADY_REGISTERED', 'an erased id is never sealed again');

  // History and balance stay: the points already allocated are still theirs, and spendable.
  const points = await w.get('/v1/admin/beneficiaries/b-erased/points', w.admin);
  t.match(points.json(), { beneficiaryId: 'b-erased', availableCentipoints: 300 });
  const held = await w.post('/v1/partners/p1/holds', w.partner, {
    spendCode: await w.spendCode('b-erased'),
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(held.statusCode, 201, `an erased beneficiary still spends what they were given: ${held.body}`);

  // A new month's worth of donations goes to the others only.
  const donated = await w.post(`/v1/volunteers/${donor}/donations`, w.desk, { centipoints: 300 });
  t.equal(donated.statusCode, 201, donated.body);
  const pool = await w.get('/v1/admin/donation-pool', w.admin);
  t.match(pool.json(), {
    beneficiaries: [
      { beneficiaryId: 'b-erased', allocatedThisPeriodCentipoints: 300 },
      { beneficiaryId: 'b-kept', allocatedThisPeriodCentipoints: 100 },
    ],
  });
  const run = await w.post('/v1/admin/donation-pool/allocations', w.admin, {});
  t.equal(run.statusCode, 201, run.body);
  t.same(
    run
      .json<{ allocations: { beneficiaryId: string; centipoints: number }[] }>()
      .allocations.map(({ beneficiaryId, centipoints }) => [beneficiaryId, centipoints]),
    [['b-kept', 200]],
    'later allocation runs leave the erased beneficiary out',
  );

  await checkLedgerAfterErasure(t, w);
  const verified = spawnSync('pnpm', ['--silent', 'ledger', 'verify', '--quiet', '--data-dir', w.directory], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  t.equal(verified.status, 0, `pnpm ledger verify passes\n${verified.stdout}${verified.stderr}`);
});
