/**
 * Generates a realistic ledger quickly, for the benchmark and the crash test: volunteers are
 * registered first, then rounds in which every volunteer records and earns service, spends at a
 * partner (captured, released or expired holds) and sends a transfer, so events of different
 * volunteers interleave in the global log as they would in a city. Appends go straight through
 * the store's port, thousands in flight so that group commit writes them in large transactions.
 */
import { formatInstant, parseInstant } from '@timebank/domain';
import type { EventStore, NewEvent } from '@timebank/event-store';
import { build } from './events.js';

export interface GenerateOptions {
  readonly volunteers: number;
  /** Stop once at least this many events were appended. */
  readonly eventsTarget: number;
  /** Partners that volunteers spend at. Default 10. */
  readonly partners?: number;
  /** Appends in flight at once. Default 2,000: enough for group commit to fill its batches. */
  readonly appendsInFlightMax?: number;
  readonly onProgress?: (events: number) => void;
}

const BASE_MS = parseInstant('2026-01-01T00:00:00.000Z');
const at = (ms: number): string => formatInstant(ms);
/** Centipoints earned per service: one hour at the default rate. */
const EARN = 100;

// eslint-disable-next-line max-lines-per-function -- not yet split: a generator loop whose pacing state (appends in flight, balances) is shared by every step
export async function generateLedger(store: EventStore, options: GenerateOptions): Promise<number> {
  const partners = options.partners ?? 10;
  const inFlight = options.appendsInFlightMax ?? 2000;
  const revisions = new Map<string, bigint>();
  const available = new Array<number>(options.volunteers).fill(0);
  let appended = 0;
  let pending: Promise<unknown>[] = [];

  const append = async (streamName: string, events: NewEvent[]): Promise<void> => {
    const expected = revisions.get(streamName);
    revisions.set(streamName, (expected ?? -1n) + BigInt(events.length));
    appended += events.length;
    pending.push(store.appendToStream(streamName, events, { expectedRevision: expected ?? 'no_stream' }));
    if (pending.length >= inFlight) {
      await Promise.all(pending);
      pending = [];
      options.onProgress?.(appended);
    }
  };
  const id = (index: number): string => `v${index}`;
  const receipts: [string, string, string, number, string][] = [];

  for (let partner = 0; partner < partners; partner += 1) {
    await append(`partner-p${partner}`, [build.partnerRegistered(`p${partner}`, at(BASE_MS))]);
  }
  for (let index = 0; index < options.volunteers && appended < options.eventsTarget; index += 1) {
    await append(`volunteer-${id(index)}`, [
      build.registered(id(index), at(BASE_MS + index), `community-${index % 20}`),
    ]);
  }
  // Each stream's appends must reach the store in order; one flush per round guarantees it
  // whatever order group commit picks inside a round.
  await Promise.all(pending);
  pending = [];
  for (let round = 0; appended < options.eventsTarget; round += 1) {
    const dayMs = BASE_MS + (round + 1) * 86_400_000;
    const kind = round % 4;
    for (let index = 0; index < options.volunteers && appended < options.eventsTarget; index += 1) {
      const volunteer = id(index);
      const startMs = dayMs + (index % 600) * 60_000;
      const partnerId = `p${index % partners}`;
      const holdId = `h${round}`;
      if (kind === 0 || kind === 1 || available[index] === 0) {
        const recordId = `r${round}`;
        const end = at(startMs + 3_600_000);
        await append(`volunteer-${volunteer}`, [
          build.recorded(volunteer, recordId, at(startMs), end, 60),
          build.confirmed(volunteer, recordId, end),
          build.earned(volunteer, recordId, EARN, end),
        ]);
        available[index] = (available[index] ?? 0) + EARN;
      } else if (kind === 2) {
        const amount = Math.min(available[index] ?? 0, 50);
        const resolution =
          index % 3 === 0 ? build.released : index % 3 === 1 ? build.captured : build.holdExpired;
        await append(`volunteer-${volunteer}`, [
          build.held(volunteer, holdId, partnerId, amount, at(startMs), at(startMs + 86_400_000)),
          resolution(volunteer, holdId, partnerId, amount, at(startMs + 60_000)),
        ]);
        if (resolution === build.captured) available[index] = (available[index] ?? 0) - amount;
      } else {
        const to = id((index + 1) % options.volunteers);
        const amount = Math.min(available[index] ?? 0, 10);
        const transferId = `t${round}-${index}`;
        await append(`volunteer-${volunteer}`, [
          build.transferSent(volunteer, transferId, to, amount, at(startMs)),
        ]);
        available[index] = (available[index] ?? 0) - amount;
        // The receiver's credit lands next round, as the ledger's process manager would deliver it.
        receipts.push([to, transferId, volunteer, amount, at(startMs + 1000)]);
      }
    }
    await Promise.all(pending);
    pending = [];
    for (const [to, transferId, from, amount, when] of receipts.splice(0)) {
      await append(`volunteer-${to}`, [build.transferReceived(to, transferId, from, amount, when)]);
      const toIndex = Number(to.slice(1));
      available[toIndex] = (available[toIndex] ?? 0) + amount;
    }
    await Promise.all(pending);
    pending = [];
    options.onProgress?.(appended);
  }
  return appended;
}
