/**
 * Issue #17's acceptance on PostgreSQL: the contents of every table in the ledger's schema
 * (events, read models, idempotency records, the key store's own tables) hold no name, phone or
 * ID number, before or after erasure; after it the data key and the index entry are gone and
 * verification still passes with the hours unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { ERASED_TEXT } from '@timebank/domain';
import { requireServerUrl } from '@timebank/event-store/testing';
import { openReadModels } from '@timebank/ledger-opener';
import { verifyLedger } from '@timebank/projections';
import { hoursAgo, nationalIdNumber, wirePostgresApi } from './fixtures.js';

const url = requireServerUrl('POSTGRES_URL');

const NAME = 'Shangguan Wanrou';
const PHONE = '+86-311-8765432';
const ID_NUMBER = nationalIdNumber(3_456_789);

/** The text of every row of every table in `schema`, one string per table. */
async function tableContents(client: pg.Client, schema: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
    [schema],
  );
  const contents = new Map<string, string>();
  for (const { table_name: table } of rows) {
    const qualified = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(table)}`;
    const result = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${qualified} t`);
    contents.set(table, result.rows.map((row) => row.row).join('\n'));
  }
  return contents;
}

function leaks(contents: Map<string, string>): string[] {
  return [...contents].flatMap(([table, text]) =>
    [NAME, PHONE, ID_NUMBER].filter((secret) => text.includes(secret)).map((secret) => `${table}: ${secret}`),
  );
}

t.test(
  'on PostgreSQL no table holds the person, and erasure keeps the ledger verifiable',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'timebank-privacy-pg-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const { schema, config, store, wired, keyFor } = await wirePostgresApi(
      t,
      url!,
      'ledger_privacy',
      { LEDGER_MASTER_KEY: randomBytes(32).toString('hex') },
      { readModelDataDir: dataDir },
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.teardown(() => client.end());
    const admin = await keyFor('admin', { kind: 'all' });
    let counter = 0;
    const post = (path: string, payload: Record<string, unknown>) =>
      wired.app.inject({
        method: 'POST',
        url: path,
        headers: { authorization: admin, 'idempotency-key': `privacy-pg-${(counter += 1)}` },
        payload,
      });
    t.equal(
      (await post('/v1/admin/organisations', { organisationId: 'org1', name: 'Station', community: 'c1' }))
        .statusCode,
      201,
    );
    const registered = await post('/v1/volunteers', {
      name: NAME,
      nationalIdNumber: ID_NUMBER,
      phone: PHONE,
      community: 'c1',
    });
    t.equal(registered.statusCode, 201, registered.body);
    const { volunteerId } = registered.json<{ volunteerId: string }>();
    const recorded = await post(`/v1/volunteers/${volunteerId}/service-records`, {
      activity: 'Reading to elders',
      organisationId: 'org1',
      startAt: hoursAgo(8),
      endAt: hoursAgo(6),
    });
    t.equal(recorded.statusCode, 201, recorded.body);
    const { recordId } = recorded.json<{ recordId: string }>();
    t.equal(
      (await post(`/v1/volunteers/${volunteerId}/service-records/${recordId}/confirm`, {})).statusCode,
      200,
    );
    const head = await store.headPosition();
    t.ok(await wired.projector.waitFor(head, 10_000), 'the read models caught up');

    const before = await tableContents(client, schema);
    t.ok(
      before.has('personal_data_keys') && before.has('personal_registrations'),
      'the key store has its own tables',
    );
    t.match(
      before.get('events'),
      volunteerId,
      'the events table holds the volunteer (the search is not vacuous)',
    );
    t.same(leaks(before), [], 'no table holds the name, phone or ID number');

    const erased = await post(`/v1/admin/volunteers/${volunteerId}/erasure`, { reason: 'retention_ended' });
    t.equal(erased.statusCode, 200, erased.body);
    t.match(await wired.personalKeys.store.dataKey(volunteerId), { state: 'erased' });
    t.equal(await wired.personalKeys.store.findRegistration(wired.ledger.nationalIdHash(ID_NUMBER)), null);
    const keyRows = await client.query(
      `SELECT wrapped_key FROM ${client.escapeIdentifier(schema)}.personal_data_keys WHERE volunteer_id = $1`,
      [volunteerId],
    );
    t.same(keyRows.rows, [{ wrapped_key: null }], 'only a tombstone is left of the key');

    t.ok(await wired.projector.waitFor(await store.headPosition(), 10_000));
    t.same(leaks(await tableContents(client, schema)), [], 'nothing found after erasure');
    const summary = await wired.app.inject({
      method: 'GET',
      url: `/v1/volunteers/${volunteerId}`,
      headers: { authorization: admin },
    });
    t.match(
      summary.json(),
      { name: ERASED_TEXT, confirmedMinutes: 120 },
      'placeholder name, hours unchanged',
    );
    const liveModels = await openReadModels(config.store);
    t.teardown(() => liveModels.close());
    const report = await verifyLedger({ store, db: liveModels });
    t.same(report.findings, [], 'verify passes after erasure');
  },
);
