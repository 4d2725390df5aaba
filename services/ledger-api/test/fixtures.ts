/**
 * A small world for route tests: one community with a desk, one organisation with an organiser,
 * one partner with an offer, plus keys that are deliberately out of scope.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { LightMyRequestResponse as Response } from 'fastify';
import { dropSchema } from '@timebank/event-store-postgres/testing';
import { pino, type Logger } from 'pino';
import type { EventStore } from '@timebank/event-store';
import { openEventStore } from '@timebank/ledger-opener';
import { loadConfig, type LedgerApiConfig } from '../src/config.js';
import { wireLedgerApi, type WiredApi } from '../src/wiring.js';
import type { ApiKeyRole, ApiKeyScope } from '../src/auth/principal.js';
import { startHarness, type Harness } from './harness.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/**
 * A valid resident ID number (GB 11643 check character) from a seed below 10^7; never a real
 * person's. The birth date (characters 7–14) is a real date from 1960 on, so every seed is an
 * adult: seed ÷ 1000 counts days from 1960-01-01, seed mod 1000 is the sequence number.
 */
export function nationalIdNumber(seed: number): string {
  const birthDate = new Date(Date.UTC(1960, 0, 1 + Math.floor(seed / 1000)));
  const yyyymmdd = birthDate.toISOString().slice(0, 10).replaceAll('-', '');
  const body = `130102${yyyymmdd}${String(seed % 1000).padStart(3, '0')}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * WEIGHTS[index]!, 0);
  return body + CHECK[sum % 11]!;
}

/** An ISO instant `hours` before now, on a whole minute. */
export function hoursAgo(hours: number, now = Date.now()): string {
  return new Date(Math.floor((now - hours * 3_600_000) / 60_000) * 60_000).toISOString();
}

export interface World extends Harness {
  readonly admin: string;
  readonly auditor: string;
  readonly desk: string;
  readonly otherDesk: string;
  readonly organiser: string;
  readonly otherOrganiser: string;
  readonly partner: string;
  readonly otherPartner: string;
  /** A coordinator of street s1 (the street of community c1, once `registerHierarchy` ran), and one of street s2. */
  readonly coordinator: string;
  readonly otherCoordinator: string;
  /** Registers city sjz, district d1, streets s1 and s2, and communities c1 (on s1) and c2 (on s2). */
  registerHierarchy(): Promise<void>;
  /** POSTs JSON with a fresh idempotency key unless one is given. */
  post(url: string, authorization: string, payload: unknown, idempotencyKey?: string): Promise<Response>;
  get(url: string, authorization: string): Promise<Response>;
  registerVolunteer(seed: number, community?: string): Promise<string>;
  /** Records and confirms `hours` of service ending `endHoursAgo` ago; returns the record id. */
  earn(volunteerId: string, hours: number, endHoursAgo: number): Promise<string>;
  /**
   * Records, through the volunteer's desk, the volunteer's standing consent to `partnerId`
   * (default p1) with a monthly cap (default 1,000,000 centipoints): the partner may then hold.
   */
  grantMandate(volunteerId: string, partnerId?: string, monthlyCapCentipoints?: number): Promise<void>;
  /**
   * Activates the volunteer through the admin (an activation code, then `passphrase`) and signs
   * them in; returns the `Authorization` header of their session.
   */
  signIn(volunteerId: string, passphrase?: string): Promise<string>;
  /** Issues, through the admin, a spend code for the volunteer; returns its digits. */
  spendCode(volunteerId: string, options?: { partnerId?: string; centipointsMax?: number }): Promise<string>;
}

let keyCounter = 0;

export async function startWorld(
  t: Test,
  environment: Record<string, string> = {},
  options: {
    readonly clock?: () => number;
    readonly wrapStore?: (store: EventStore) => EventStore;
  } = {},
): Promise<World> {
  const h = await startHarness(t, { environment, ...options });
  const admin = await h.keyFor('admin', { kind: 'all' });
  const world: World = {
    ...h,
    admin,
    auditor: await h.keyFor('auditor', { kind: 'all' }),
    desk: await h.keyFor('desk', { kind: 'community', id: 'c1' }),
    otherDesk: await h.keyFor('desk', { kind: 'community', id: 'c2' }),
    organiser: await h.keyFor('organiser', { kind: 'organisation', id: 'org1' }),
    otherOrganiser: await h.keyFor('organiser', { kind: 'organisation', id: 'org2' }),
    partner: await h.keyFor('partner', { kind: 'partner', id: 'p1' }),
    otherPartner: await h.keyFor('partner', { kind: 'partner', id: 'p2' }),
    coordinator: await h.keyFor('coordinator', { kind: 'area', id: 's1' }),
    otherCoordinator: await h.keyFor('coordinator', { kind: 'area', id: 's2' }),
    async registerHierarchy() {
      const areas = [
        { level: 'city', areaId: 'sjz', parentId: null, name: 'Shijiazhuang' },
        { level: 'district', areaId: 'd1', parentId: 'sjz', name: 'Chang’an' },
        { level: 'street', areaId: 's1', parentId: 'd1', name: 'Jianbei' },
        { level: 'street', areaId: 's2', parentId: 'd1', name: 'Qingyuan' },
      ];
      for (const area of areas) await world.post('/v1/admin/areas', admin, area);
      for (const [communityId, streetId] of [
        ['c1', 's1'],
        ['c2', 's2'],
      ] as const) {
        await world.post('/v1/admin/communities', admin, {
          communityId,
          streetId,
          name: `Community ${communityId}`,
          coordinatorId: `coordinator-${communityId}`,
          coordinatorName: 'Li Hua',
          coordinatorContact: '0311-5550001',
        });
      }
    },
    post(url, authorization, payload, idempotencyKey) {
      keyCounter += 1;
      return h.app.inject({
        method: 'POST',
        url,
        headers: h.headers(authorization, idempotencyKey ?? `k-${keyCounter}`),
        payload: payload as Record<string, unknown>,
      });
    },
    get(url, authorization) {
      return h.app.inject({ method: 'GET', url, headers: { authorization } });
    },
    async registerVolunteer(seed, community = 'c1') {
      const response = await world.post('/v1/volunteers', admin, {
        name: `Volunteer ${seed}`,
        nationalIdNumber: nationalIdNumber(seed),
        phone: '+86-311-5550000',
        community,
      });
      if (response.statusCode !== 201) throw new Error(`registration failed: ${response.body}`);
      return response.json<{ volunteerId: string }>().volunteerId;
    },
    async earn(volunteerId, hours, endHoursAgo) {
      const recorded = await world.post(`/v1/volunteers/${volunteerId}/service-records`, admin, {
        activity: 'Reading to elders',
        organisationId: 'org1',
        startAt: hoursAgo(endHoursAgo + hours),
        endAt: hoursAgo(endHoursAgo),
      });
      if (recorded.statusCode !== 201) throw new Error(`recording failed: ${recorded.body}`);
      const { recordId } = recorded.json<{ recordId: string }>();
      const confirmed = await world.post(
        `/v1/volunteers/${volunteerId}/service-records/${recordId}/confirm`,
        admin,
        {},
      );
      if (confirmed.statusCode !== 200) throw new Error(`confirmation failed: ${confirmed.body}`);
      return recordId;
    },
    async grantMandate(volunteerId, partnerId = 'p1', monthlyCapCentipoints = 1_000_000) {
      const granted = await world.post(`/v1/volunteers/${volunteerId}/mandates`, admin, {
        partnerId,
        monthlyCapCentipoints,
      });
      if (granted.statusCode !== 201) throw new Error(`mandate failed: ${granted.body}`);
    },
    async signIn(volunteerId, passphrase = 'correct horse battery staple') {
      const issued = await world.post(`/v1/volunteers/${volunteerId}/activation-codes`, admin, {});
      if (issued.statusCode !== 201) throw new Error(`activation code failed: ${issued.body}`);
      const { activationCode, volunteerNumber } = issued.json<{
        activationCode: string;
        volunteerNumber: string;
      }>();
      const activated = await world.post('/v1/volunteer-sessions/activate', '', {
        volunteerNumber,
        activationCode,
        passphrase,
      });
      if (activated.statusCode !== 200) throw new Error(`activation failed: ${activated.body}`);
      const session = await world.post('/v1/volunteer-sessions', '', { volunteerNumber, passphrase });
      if (session.statusCode !== 201) throw new Error(`sign-in failed: ${session.body}`);
      return `Bearer ${session.json<{ token: string }>().token}`;
    },
    async spendCode(volunteerId, options = {}) {
      const issued = await world.post(`/v1/volunteers/${volunteerId}/spend-codes`, admin, options);
      if (issued.statusCode !== 201) throw new Error(`spend code failed: ${issued.body}`);
      return issued.json<{ spendCode: string }>().spendCode;
    },
  };
  for (const [url, payload] of [
    [
      '/v1/admin/organisations',
      { organisationId: 'org1', name: 'Qiaoxi Social Work Station', community: 'c1' },
    ],
    ['/v1/admin/organisations', { organisationId: 'org2', name: 'Other Station', community: 'c2' }],
    ['/v1/admin/partners', { partnerId: 'p1', name: 'Canteen', community: 'c1' }],
    ['/v1/admin/partners', { partnerId: 'p2', name: 'Barber', community: 'c2' }],
    ['/v1/partners/p1/offers', { offerId: 'meal', title: 'A meal', priceCentipoints: 100 }],
    ['/v1/partners/p2/offers', { offerId: 'haircut', title: 'A haircut', priceCentipoints: 100 }],
  ] as const) {
    const response = await world.post(url, admin, payload);
    if (response.statusCode !== 201) throw new Error(`${url} failed: ${response.body}`);
  }
  return world;
}

/**
 * A fresh schema name, `<prefix>_<12 hex digits>`, on the PostgreSQL at `url`, dropped at the
 * test's teardown. The teardown is registered before anything can create the schema, so a test
 * that fails or throws halfway still leaves nothing behind. `closeFirst` runs in that teardown
 * before the drop (to close what the test opened on the schema); the drop runs even when it throws.
 *
 * Tests take `url` from `requireServerUrl('POSTGRES_URL')` at the top of the file, which throws
 * under CI=true when the variable is unset: a missing server fails there instead of skipping.
 */
export function freshPostgresSchema(
  t: Test,
  url: string,
  prefix: string,
  closeFirst: () => Promise<void> = async () => {},
): string {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  t.teardown(async () => {
    try {
      await closeFirst();
    } finally {
      await dropSchema(url, schema);
    }
  });
  return schema;
}

export interface PostgresApi {
  readonly schema: string;
  readonly config: LedgerApiConfig;
  /** The engine's store as the wiring was given it (not instrumented). */
  readonly store: EventStore;
  readonly wired: WiredApi;
  /** Issues a key through the key store and returns the `authorization` header value. */
  readonly keyFor: (role: ApiKeyRole, scope: ApiKeyScope) => Promise<string>;
}

/**
 * The API wired on a real PostgreSQL in a fresh schema (`freshPostgresSchema`), with a fresh
 * national-ID key and silent logs; `environment` adds to or overrides the configuration. At
 * teardown the app closes, then the store, then the schema is dropped.
 */
export async function wirePostgresApi(
  t: Test,
  url: string,
  prefix: string,
  environment: Record<string, string> = {},
  options: { readonly readModelDataDir?: string; readonly logger?: Logger } = {},
): Promise<PostgresApi> {
  // What is open by the time of the teardown: a test that fails while wiring leaves it half empty.
  const opened: { store?: EventStore; wired?: WiredApi } = {};
  // This process's local files (master.key, erasures.jsonl, the reactor's checkpoint): without a
  // LEDGER_DATA_DIR of their own they went to ./data of the working directory, the repository.
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-data-`));
  const schema = freshPostgresSchema(t, url, prefix, async () => {
    try {
      await opened.wired?.close();
    } finally {
      try {
        await opened.store?.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  });
  const config = loadConfig({
    LEDGER_STORE: 'postgres',
    POSTGRES_URL: url,
    POSTGRES_SCHEMA: schema,
    LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
    LEDGER_DATA_DIR: dataDir,
    ...environment,
  });
  const store = await openEventStore(config.store);
  opened.store = store;
  const { logger = pino({ level: 'silent' }), ...rest } = options;
  const wired = await wireLedgerApi({ config, store, logger, ...rest });
  opened.wired = wired;
  let issued = 0;
  return {
    schema,
    config,
    store,
    wired,
    keyFor: async (role, scope) => {
      issued += 1;
      const { key } = await wired.context.keys.issue({
        role,
        scope,
        label: `${role} test key`,
        issuedBy: 'test',
        idempotencyKey: `${prefix}-key-${issued}`,
      });
      return `Bearer ${key}`;
    },
  };
}

/** Points-policy terms for POST /v1/admin/points-policy: the default terms at twice the rate. */
export const DOUBLED_RATE_TERMS = {
  ratePerHourCentipoints: 200,
  qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
  balanceCapCentipoints: 60_000,
  dailyEarningCapCentipoints: 200,
  minStarToRedeem: 0,
  expiryDays: null,
};
