/**
 * The command cycle every ledger benchmark measures, the everyday path of a volunteer's stream:
 * an organiser records an hour of service, confirms it (which earns points), and a partner
 * redeems one point. Three commands, five events, each decided on the folded volunteer stream
 * and appended with the revision it was decided on.
 */
import type { CommandInput, DomainEvent } from '@timebank/domain';

export const PARTNER_ID = 'partner-1';
/** One point: what an hour of service earns at the default rate, so a cycle leaves the balance as it was. */
export const OFFER_PRICE_CENTIPOINTS = 100;
export const ORGANISER = { id: 'org-user-1', role: 'organiser', organisationId: 'org-1' } as const;
export const PARTNER = { id: 'partner-user-1', role: 'partner', partnerId: PARTNER_ID } as const;
export const COMMANDS_PER_CYCLE = 3;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** One-hour slots per day: 8 keeps a day at 8 h, half the default 16-hour daily limit. */
const SLOTS_PER_DAY = 8;
/** Slots fit in the 90-day back-dating window before `nowMs`. */
export const SLOTS_MAX = 88 * SLOTS_PER_DAY;

/** Start of a volunteer's `slot`-th one-hour service slot before `nowMs`: distinct slots never overlap. */
export function slotStartMs(nowMs: number, slot: number): number {
  if (slot >= SLOTS_MAX) throw new Error(`slot ${slot} is outside the back-dating window`);
  const dayMs = Math.floor(nowMs / DAY_MS) * DAY_MS - (1 + Math.floor(slot / SLOTS_PER_DAY)) * DAY_MS;
  return dayMs + (slot % SLOTS_PER_DAY) * HOUR_MS;
}

export function recordCommand(
  volunteerId: string,
  key: string,
  startMs: number,
  durationHours = 1,
): CommandInput {
  return {
    type: 'RecordServiceHours',
    idempotencyKey: `${key}-record`,
    actor: ORGANISER,
    volunteerId,
    activity: 'Elder care visits',
    organisationId: 'org-1',
    startAt: new Date(startMs).toISOString(),
    endAt: new Date(startMs + durationHours * HOUR_MS).toISOString(),
  };
}

export function confirmCommand(volunteerId: string, key: string, recordId: string): CommandInput {
  return {
    type: 'ConfirmServiceHours',
    idempotencyKey: `${key}-confirm`,
    actor: ORGANISER,
    volunteerId,
    recordId,
  };
}

export function redeemCommand(volunteerId: string, key: string): CommandInput {
  return {
    type: 'RedeemPoints',
    idempotencyKey: `${key}-redeem`,
    actor: PARTNER,
    volunteerId,
    partnerId: PARTNER_ID,
    offerId: `price-${OFFER_PRICE_CENTIPOINTS}`,
    centipoints: OFFER_PRICE_CENTIPOINTS,
  };
}

export function recordIdOf(events: readonly DomainEvent[]): string {
  const recorded = events[0];
  if (recorded?.type !== 'ServiceHoursRecorded') throw new Error('expected ServiceHoursRecorded');
  return recorded.data.recordId;
}

/**
 * Runs one cycle through `execute` (ours or the peer's) and returns each command's latency in
 * milliseconds.
 */
export async function runCycle(
  execute: (command: CommandInput) => Promise<readonly DomainEvent[]>,
  volunteerId: string,
  key: string,
  startMs: number,
): Promise<number[]> {
  const latenciesMs: number[] = [];
  const timed = async (command: CommandInput): Promise<readonly DomainEvent[]> => {
    const startedMs = performance.now();
    const events = await execute(command);
    latenciesMs.push(performance.now() - startedMs);
    if (events.length === 0) throw new Error(`${command.type} decided nothing`);
    return events;
  };
  const recorded = await timed(recordCommand(volunteerId, key, startMs));
  await timed(confirmCommand(volunteerId, key, recordIdOf(recorded)));
  await timed(redeemCommand(volunteerId, key));
  return latenciesMs;
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

export interface DriveOptions {
  readonly callers: number;
  readonly cycles: number;
  readonly nowMs: number;
  readonly keyPrefix: string;
  readonly firstSlot?: number;
  /** Next slot per volunteer; pass the same map to successive runs so their records never overlap. */
  readonly slots?: Map<string, number>;
  /**
   * When given, a cycle that throws is reported here and abandoned, and the caller goes on with
   * the next one (for a peer that fails under load); otherwise the first error ends the run.
   */
  readonly onError?: (error: unknown) => void;
}

/**
 * `callers` concurrent callers, each owning `volunteerIds[caller]` (and the ones `callers` apart),
 * run `cycles` cycles in total. Returns successful commands per second and their latencies.
 */
export async function driveCycles(
  execute: (command: CommandInput) => Promise<readonly DomainEvent[]>,
  volunteerIds: readonly string[],
  options: DriveOptions,
): Promise<{ commandsPerSecond: number; latenciesMs: number[] }> {
  const latenciesMs: number[] = [];
  const slots = options.slots ?? new Map<string, number>();
  let issued = 0;
  const startedMs = performance.now();
  await Promise.all(
    Array.from({ length: options.callers }, async (_, caller) => {
      for (let round = 0; issued < options.cycles; round += 1) {
        issued += 1;
        const owned = Math.ceil((volunteerIds.length - caller) / options.callers);
        const volunteerId = volunteerIds[caller + (round % owned) * options.callers];
        if (volunteerId === undefined) throw new Error('fewer volunteers than callers');
        const slot = slots.get(volunteerId) ?? options.firstSlot ?? 0;
        slots.set(volunteerId, slot + 1);
        const key = `${options.keyPrefix}-${volunteerId}-${slot}`;
        try {
          latenciesMs.push(...(await runCycle(execute, volunteerId, key, slotStartMs(options.nowMs, slot))));
        } catch (error) {
          if (options.onError === undefined) throw error;
          options.onError(error);
        }
      }
    }),
  );
  const seconds = (performance.now() - startedMs) / 1000;
  return { commandsPerSecond: latenciesMs.length / seconds, latenciesMs };
}

/** One ledger to drive: its command entry point, its volunteers and their next free slots. */
export interface DriveTarget {
  readonly execute: (command: CommandInput) => Promise<readonly DomainEvent[]>;
  readonly ids: readonly string[];
  readonly slots: Map<string, number>;
}

/**
 * Drives every target in `rounds` short rounds that alternate between the targets, `cycles`
 * cycles per target in all. Each target's rate is the median of its rounds, so that load from
 * other processes on a shared machine falls on every target alike; its p99 is over all its
 * commands.
 */
export async function driveInterleaved(
  targets: readonly DriveTarget[],
  options: {
    readonly callers: number;
    readonly cycles: number;
    readonly rounds: number;
    readonly nowMs: number;
  },
): Promise<{ commandsPerSecond: number; p99Ms: number }[]> {
  const rates = targets.map(() => [] as number[]);
  const latencies = targets.map(() => [] as number[]);
  for (let round = 0; round < options.rounds; round += 1) {
    for (const [index, target] of targets.entries()) {
      const result = await driveCycles(target.execute, target.ids, {
        callers: options.callers,
        cycles: Math.ceil(options.cycles / options.rounds),
        nowMs: options.nowMs,
        keyPrefix: `measure-${round}`,
        slots: target.slots,
      });
      rates[index]?.push(result.commandsPerSecond);
      latencies[index]?.push(...result.latenciesMs);
    }
  }
  return targets.map((_, index) => ({
    commandsPerSecond: percentile(rates[index] ?? [], 0.5),
    p99Ms: percentile(latencies[index] ?? [], 0.99),
  }));
}
