import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { DomainError, nationalIdCheckCharacter, type CommandInput } from '@timebank/domain';
import { createSqliteEventStore, type SqliteEventStore } from '@timebank/event-store-sqlite';
import { createLedger, type Ledger, type LedgerOptions } from '../../src/ledger.js';

export const NATIONAL_ID_KEY = 'test-key-0123456789abcdef0123456789abcdef';
export const ADMIN = { id: 'admin-1', role: 'administrator' } as const;
export const DESK = { id: 'desk-1', role: 'registration_desk' } as const;
export const ORGANISER = { id: 'org-user-1', role: 'organiser', organisationId: 'org-1' } as const;
export const PARTNER = { id: 'partner-user-1', role: 'partner', partnerId: 'partner-1' } as const;

/** Partner-1 publishes one offer per price, since a redemption must match its offer's price. */
export const OFFER_PRICES = [1, 10, 100, 200, 300, 600, 700, 2_500, 2_600, 150_000];
export const offerFor = (priceCentipoints: number): string => `price-${priceCentipoints}`;

/** A resident ID number with a correct GB 11643 check character, from a 17-digit body. */
export const nationalId = (body17: string): string => body17 + nationalIdCheckCharacter(body17);

export interface Fixture {
  readonly store: SqliteEventStore;
  readonly path: string;
  readonly clock: { nowMs: number };
  ledger(overrides?: Partial<LedgerOptions>): Ledger;
}

/** A real SQLite store in a temp dir, closed and removed when the test ends. */
export function ledgerFixture(t: Test): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'timebank-app-'));
  const path = join(dir, 'events.db');
  const store = createSqliteEventStore({ path });
  const clock = { nowMs: Date.parse('2026-06-01T12:00:00.000Z') };
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    store,
    path,
    clock,
    ledger: (overrides = {}) =>
      createLedger({ store, clock: () => clock.nowMs, nationalIdKey: NATIONAL_ID_KEY, ...overrides }),
  };
}

/**
 * Registers a volunteer, a partner with offers, the volunteer's mandate to that partner, and
 * confirms `hours` of service. Returns the volunteer id.
 */
export async function volunteerWithPoints(
  ledger: Ledger,
  hours: number,
  idBody = '13010119900101123',
): Promise<string> {
  const registered = await ledger.execute({
    type: 'RegisterVolunteer',
    idempotencyKey: `register-${idBody}`,
    actor: DESK,
    name: 'Li Wei',
    nationalIdNumber: nationalId(idBody),
    phone: '13800000000',
    community: 'community-1',
  });
  const volunteerId = registered.streamName.slice('volunteer-'.length);
  const setup: CommandInput[] = [
    {
      type: 'RegisterPartner',
      idempotencyKey: 'partner-1',
      actor: ADMIN,
      partnerId: 'partner-1',
      name: 'Barber',
      community: 'community-1',
    },
    ...OFFER_PRICES.map((price): CommandInput => ({
      type: 'PublishPartnerOffer',
      idempotencyKey: `offer-${price}`,
      actor: ADMIN,
      partnerId: 'partner-1',
      offerId: offerFor(price),
      title: `Service worth ${price} centipoints`,
      priceCentipoints: price,
    })),
  ];
  for (const command of setup) await ledger.execute(command);
  // The volunteer consents to partner-1's holds, with a cap no test reaches.
  await ledger.execute({
    type: 'GrantSpendMandate',
    idempotencyKey: `mandate-${volunteerId}`,
    actor: ADMIN,
    volunteerId,
    partnerId: 'partner-1',
    monthlyCapCentipoints: Number.MAX_SAFE_INTEGER,
  });
  // Service in 10-hour records on consecutive days within the back-dating window.
  for (let index = 0; index * 10 < hours; index += 1) {
    const day = new Date(Date.parse('2026-05-30T00:00:00.000Z') - index * 86_400_000);
    const startAt = new Date(day.getTime() + 1 * 3_600_000).toISOString();
    const endAt = new Date(day.getTime() + (1 + Math.min(10, hours - index * 10)) * 3_600_000).toISOString();
    const recorded = await ledger.execute({
      type: 'RecordServiceHours',
      idempotencyKey: `record-${volunteerId}-${index}`,
      actor: ORGANISER,
      volunteerId,
      activity: 'Elder care visits',
      organisationId: 'org-1',
      startAt,
      endAt,
    });
    const recordEvent = recorded.events[0];
    if (recordEvent?.type !== 'ServiceHoursRecorded') throw new Error('expected ServiceHoursRecorded');
    await ledger.execute({
      type: 'ConfirmServiceHours',
      idempotencyKey: `confirm-${volunteerId}-${index}`,
      actor: ORGANISER,
      volunteerId,
      recordId: recordEvent.data.recordId,
    });
  }
  return volunteerId;
}

/** A redemption at partner-1 of the offer priced `centipoints`. */
export const redeem = (volunteerId: string, key: string, centipoints = 100) => ({
  type: 'RedeemPoints' as const,
  idempotencyKey: key,
  actor: PARTNER,
  volunteerId,
  partnerId: 'partner-1',
  offerId: offerFor(centipoints),
  centipoints,
});

/** 'OK' when the command succeeds, else the domain error's code; other errors propagate. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}
