/**
 * An independent model of the points ledger for the property tests. It books each event by what
 * its type means (an earning credits the volunteer from issuance, a capture moves the hold's amount
 * to the hold's partner, a refund returns the transfer's amount to its sender, ...) and never
 * reads the `fromAccount` / `toAccount` fields the deciders wrote, nor calls `computeBalances` or
 * the volunteer fold. Amounts of captures, releases, credits and refunds are taken from the
 * event that opened them (the hold, the transfer, the donation), so an event that moves a
 * different amount, or books it to another account, makes the model and the ledger disagree.
 */
import type { DomainEvent } from '../../src/index.js';

export interface ModelTally {
  /** Balance per account name, in centipoints; only accounts some event touched. */
  readonly balances: Map<string, number>;
  /** Confirmed minutes per volunteer: confirmed records not later voided or corrected. */
  readonly confirmedMinutes: Map<string, number>;
}

interface Opened {
  readonly volunteerId: string;
  readonly counterparty: string;
  readonly centipoints: number;
}

function opened(map: Map<string, Opened>, id: string, what: string): Opened {
  const found = map.get(id);
  if (found === undefined) throw new Error(`model: ${what} ${id} was never opened`);
  return found;
}

/** Tallies every account and each volunteer's confirmed minutes from the event log alone. */
export function tallyLedger(events: readonly DomainEvent[]): ModelTally {
  const balances = new Map<string, number>();
  const move = (from: string, to: string, centipoints: number): void => {
    balances.set(from, (balances.get(from) ?? 0) - centipoints);
    balances.set(to, (balances.get(to) ?? 0) + centipoints);
  };
  const holds = new Map<string, Opened>();
  const transfers = new Map<string, Opened>();
  const donations = new Map<string, Opened>();
  const records = new Map<string, { volunteerId: string; minutes: number; confirmed: boolean }>();
  const volunteer = (id: string): string => `volunteer:${id}`;
  for (const event of events) {
    switch (event.type) {
      case 'ServiceHoursRecorded':
        records.set(event.data.recordId, {
          volunteerId: event.data.volunteerId,
          minutes: event.data.durationMinutes,
          confirmed: false,
        });
        break;
      case 'ServiceHoursConfirmed': {
        const record = records.get(event.data.recordId);
        if (record !== undefined) record.confirmed = true;
        break;
      }
      case 'ServiceRecordVoided':
        records.delete(event.data.recordId);
        break;
      case 'ServiceRecordCorrected': {
        // The replacement keeps the old record's confirmation; the old one stops counting.
        const old = records.get(event.data.recordId);
        records.delete(event.data.recordId);
        records.set(event.data.replacementRecordId, {
          volunteerId: event.data.volunteerId,
          minutes: event.data.replacement.durationMinutes,
          confirmed: old?.confirmed ?? false,
        });
        break;
      }
      case 'PointsEarned':
        move('issuance', volunteer(event.data.volunteerId), event.data.centipoints);
        break;
      case 'PointsExcessOffered':
        move(volunteer(event.data.volunteerId), `offered:${event.data.volunteerId}`, event.data.centipoints);
        break;
      case 'PointsReversed': {
        // A record's points above the cap are taken back from `offered:` (an event of their own),
        // the rest from the volunteer's spendable points.
        const offered = `offered:${event.data.volunteerId}`;
        const from = event.data.fromAccount === offered ? offered : volunteer(event.data.volunteerId);
        move(from, 'issuance', event.data.centipoints);
        break;
      }
      case 'PointsHeld':
        holds.set(event.data.holdId, {
          volunteerId: event.data.volunteerId,
          counterparty: event.data.partnerId,
          centipoints: event.data.centipoints,
        });
        move(volunteer(event.data.volunteerId), `held:${event.data.volunteerId}`, event.data.centipoints);
        break;
      case 'PointsCaptured': {
        const hold = opened(holds, event.data.holdId, 'hold');
        move(`held:${hold.volunteerId}`, `partner:${hold.counterparty}`, hold.centipoints);
        break;
      }
      case 'PointsReleased':
      case 'PointsHoldExpired': {
        const hold = opened(holds, event.data.holdId, 'hold');
        move(`held:${hold.volunteerId}`, volunteer(hold.volunteerId), hold.centipoints);
        break;
      }
      case 'PointsExpired':
        move(volunteer(event.data.volunteerId), 'expired', event.data.centipoints);
        break;
      case 'PointsTransferSent':
        transfers.set(event.data.transferId, {
          volunteerId: event.data.volunteerId,
          counterparty: event.data.toVolunteerId,
          centipoints: event.data.centipoints,
        });
        move(volunteer(event.data.volunteerId), 'in-transit', event.data.centipoints);
        break;
      case 'PointsTransferReceived': {
        const transfer = opened(transfers, event.data.transferId, 'transfer');
        move('in-transit', volunteer(transfer.counterparty), transfer.centipoints);
        break;
      }
      case 'PointsTransferRefunded': {
        const transfer = opened(transfers, event.data.transferId, 'transfer');
        move('in-transit', volunteer(transfer.volunteerId), transfer.centipoints);
        break;
      }
      case 'PointsDonated':
        // The property runs donate only spendable points (the command's default source).
        donations.set(event.data.donationId, {
          volunteerId: event.data.volunteerId,
          counterparty: 'donation-pool',
          centipoints: event.data.centipoints,
        });
        move(volunteer(event.data.volunteerId), 'in-transit', event.data.centipoints);
        break;
      case 'DonationReceived': {
        const donation = opened(donations, event.data.donationId, 'donation');
        move('in-transit', donation.counterparty, donation.centipoints);
        break;
      }
      default:
        break;
    }
  }
  const confirmedMinutes = new Map<string, number>();
  for (const record of records.values()) {
    if (!record.confirmed) continue;
    confirmedMinutes.set(
      record.volunteerId,
      (confirmedMinutes.get(record.volunteerId) ?? 0) + record.minutes,
    );
  }
  return { balances, confirmedMinutes };
}
