/**
 * Retention (PIPL Art. 47): a deactivated volunteer's personal data is erased once the retention
 * period has passed. `dueErasures` is a plain function so that a scheduler can run it as a job;
 * the erasure itself is the ledger's `ErasePersonalData` (see createLedger's `personalKeys`).
 */
import type { EventStore } from '@timebank/event-store';
import type { Ledger } from '../ledger.js';

/** One erasure as recorded outside the key store; no personal data (the id is random). */
export interface ErasureLogRecord {
  readonly volunteerId: string;
  /** ISO 8601 instant at which the key was destroyed. */
  readonly erasedAt: string;
  /** `consent_withdrawn`, `retention_ended`, … */
  readonly reason: string;
}

/** The erasure list's port (the opener's `createErasureList(dataDir)` implements it). */
export interface ErasureLog {
  /** Appends one record durably before resolving. */
  append(record: ErasureLogRecord): Promise<void>;
}

/** How long a deactivated volunteer's personal data is kept: 1095 days (three years) unless configured. */
export const DEFAULT_RETENTION_DAYS = 1095;
const MILLISECONDS_PER_DAY = 86_400_000;

/**
 * Volunteers deactivated at least `retentionDays` before `now` whose data is not yet erased, in
 * order of deactivation. Reads the whole log (the deactivation and erasure events carry no sealed
 * field), which suits a daily job.
 */
export async function dueErasures(
  store: EventStore,
  options: { readonly now: number; readonly retentionDays?: number },
): Promise<string[]> {
  const retentionMs = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * MILLISECONDS_PER_DAY;
  const deactivatedAtMs = new Map<string, number>();
  let position: bigint | undefined;
  for (;;) {
    const page = await store.readAll(position === undefined ? {} : { fromPosition: position });
    if (page.length === 0) break;
    for (const event of page) {
      const volunteerId = event.data.volunteerId;
      if (typeof volunteerId !== 'string') continue;
      const deactivatedAt = event.data.deactivatedAt;
      if (event.type === 'VolunteerDeactivated' && typeof deactivatedAt === 'string') {
        deactivatedAtMs.set(volunteerId, Date.parse(deactivatedAt));
      } else if (event.type === 'PersonalDataErased') {
        deactivatedAtMs.delete(volunteerId);
      }
    }
    position = page.at(-1)!.position;
  }
  return [...deactivatedAtMs]
    .filter(([, atMs]) => atMs + retentionMs <= options.now)
    .sort(([, a], [, b]) => a - b)
    .map(([volunteerId]) => volunteerId);
}

/** Erases every due volunteer as the system, reason `retention_ended`; returns the ids erased. */
export async function eraseDue(
  input: { readonly ledger: Ledger; readonly store: EventStore },
  options: { readonly clock: () => number; readonly retentionDays?: number },
): Promise<string[]> {
  const due = await dueErasures(input.store, {
    now: options.clock(),
    ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
  });
  for (const volunteerId of due) {
    // The ledger destroys the key once the event is stored (it must be given the personal keys).
    await input.ledger.execute({
      type: 'ErasePersonalData',
      volunteerId,
      reason: 'retention_ended',
      actor: { id: 'retention', role: 'system' },
      idempotencyKey: `retention-erasure:${volunteerId}`,
    });
  }
  return due;
}
