/**
 * Event store on PostgreSQL: durable single-event appends from 50 concurrent callers
 * through the adapter, against a raw `pg` baseline measured in the same run on the same server:
 * 50 clients each doing one INSERT per transaction into a table of the same shape. Skips, with
 * the reason printed, when POSTGRES_URL is unset.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createPostgresEventStore } from '@timebank/event-store-postgres';
import type { NewEvent } from '@timebank/event-store';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';

/** Concurrent callers; fixed so that reports from different runs compare. */
const CALLERS = 50;

const SIZES = {
  quick: { adapterAppends: 10_000, rawInserts: 5_000 },
  full: { adapterAppends: 100_000, rawInserts: 30_000 },
};

/** A service-hours event of realistic size (~300 bytes encoded), as in the SQLite benchmark. */
function serviceEvent(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'ServiceHoursRecorded',
    data: {
      volunteerId: `v-${n % 10_000}`,
      activityId: `a-${n % 97}`,
      organisationId: 'org-community-7',
      startedAt: '2026-03-01T09:00:00.000Z',
      endedAt: '2026-03-01T11:30:00.000Z',
      durationMinutes: 150,
    },
    metadata: { schemaVersion: 1, actor: 'desk:community-7', correlationId: randomUUID() },
  };
}

const perSecond = (count: number, startedMs: number): number =>
  count / ((performance.now() - startedMs) / 1000);

async function adapterAppends(
  url: string,
  schema: string,
  total: number,
): Promise<{ rate: number; appendsPerCommit: number }> {
  const store = await createPostgresEventStore({ connectionString: url, schema });
  let issued = 0;
  const startedMs = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      let expectedRevision: bigint | 'no_stream' = 'no_stream';
      while (issued < total) {
        issued += 1;
        const result = await store.appendToStream(`volunteer-${caller}`, [serviceEvent(issued)], {
          expectedRevision,
        });
        expectedRevision = result.nextExpectedRevision;
      }
    }),
  );
  const rate = perSecond(total, startedMs);
  const stats = store.groupCommitStats();
  await store.close();
  return { rate, appendsPerCommit: stats.appends / stats.transactions };
}

/**
 * The baseline: what PostgreSQL does for 50 independent writers with no event-store logic at all,
 * one durable INSERT (its own transaction) per event into a table shaped like `events`.
 */
async function rawInserts(url: string, schema: string, total: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: CALLERS });
  const table = `${pg.escapeIdentifier(schema)}.raw_events`;
  try {
    await pool.query(`CREATE TABLE ${table} (
      position bigserial PRIMARY KEY, stream_name text NOT NULL, revision bigint NOT NULL,
      id uuid NOT NULL UNIQUE, type text NOT NULL, data json NOT NULL, metadata json NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(), hash char(64) NOT NULL,
      UNIQUE (stream_name, revision))`);
    const hash = 'f'.repeat(64);
    let issued = 0;
    const startedMs = performance.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, caller) => {
        for (let revision = 0; issued < total; revision += 1) {
          issued += 1;
          const event = serviceEvent(issued);
          await pool.query(
            `INSERT INTO ${table} (stream_name, revision, id, type, data, metadata, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [
              `volunteer-${caller}`,
              revision,
              event.id,
              event.type,
              JSON.stringify(event.data),
              JSON.stringify(event.metadata),
              hash,
            ],
          );
        }
      }),
    );
    return perSecond(total, startedMs);
  } finally {
    await pool.end();
  }
}

function appendNote(appendsPerCommit: number): string {
  return (
    `group commit put ${appendsPerCommit.toFixed(1)} appends in each transaction; appends of all ` +
    'processes are serialised by the store’s advisory lock (so positions become visible in commit ' +
    'order), so the rate is about appends-per-commit / (4 round trips + WAL flush + per-append CPU).'
  );
}

export const eventStorePostgresBenchmark: Benchmark = {
  name: 'event-store-postgres',
  async run({ quick, skip }): Promise<Figure[]> {
    const url = process.env.POSTGRES_URL;
    if (url === undefined || url === '') {
      skip('POSTGRES_URL is not set, so there is no PostgreSQL server to measure');
      return [];
    }
    const sizes = quick ? SIZES.quick : SIZES.full;
    const schema = `bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
      const raw = await rawInserts(url, schema, sizes.rawInserts);
      console.log(`raw pg, ${CALLERS} clients, 1 insert per transaction: ${Math.round(raw)} events/s`);
      const appends = await adapterAppends(url, schema, sizes.adapterAppends);
      console.log(
        `adapter, ${CALLERS} callers: ${Math.round(appends.rate)} events/s, ${appends.appendsPerCommit.toFixed(1)} appends per commit`,
      );
      return [
        figure({
          name: `raw pg, ${CALLERS} clients, 1 insert per transaction`,
          value: raw,
          unit: 'events/s',
        }),
        figure({
          name: `PostgreSQL adapter, durable single-event appends, ${CALLERS} callers`,
          value: appends.rate,
          unit: 'events/s',
          baseline: { name: `raw pg, ${CALLERS} clients, 1 per transaction`, value: raw },
          target: { comparison: '>=', value: 8_000 },
          note: appendNote(appends.appendsPerCommit),
        }),
      ];
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await admin.end();
    }
  },
};
