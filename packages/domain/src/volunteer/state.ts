/**
 * State of a `volunteer-<id>` stream, folded from its events. One stream holds registration,
 * service records, stars and the points account, so that a spend decision sees every credit
 * and debit under one expected revision.
 */
import type { CalendarDate } from '../age.js';
import type {
  ConsentForm,
  CorrectionReason,
  DisputeKind,
  DisputeOutcome,
  EventData,
  EventType,
} from '../events/index.js';
import type { QualityGrade } from '../rules.js';

export type RecordStatus = 'pending' | 'confirmed' | 'rejected' | 'voided' | 'corrected';

export interface ServiceRecordState {
  readonly recordId: string;
  readonly activity: string;
  readonly organisationId: string;
  /** The social-work project the service was part of, if any; always one of `organisationId`'s. */
  readonly projectId: string | null;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMinutes: number;
  status: RecordStatus;
  qualityGrade: QualityGrade | null;
  /** Centipoints this record earned and that were not reversed. */
  earnedCentipoints: number;
  /**
   * Of those, what went to `offered:` above the balance cap (`PointsExcessOffered`) and was not
   * reversed: a reversal takes the record's points back from there first.
   */
  offeredCentipoints: number;
  /** Local day the earning counted against for the daily earning cap. */
  earnedServiceDay: number | null;
}

export type HoldStatus = 'pending' | 'captured' | 'released' | 'expired';

/** A shortfall of a record's reversal that the return of some pending holds may still cover. */
export interface RecoverableShortfall {
  readonly reasonCode: CorrectionReason;
  readonly centipoints: number;
  /** The holds pending when the record was reversed, still pending. */
  readonly holdIds: readonly string[];
}

export interface HoldState {
  readonly holdId: string;
  readonly partnerId: string;
  readonly offerId: string;
  readonly centipoints: number;
  readonly expiresAtMs: number;
  readonly heldAtMs: number;
  /** The consent that authorised the hold; null for holds from before consent was required. */
  readonly consentForm: ConsentForm | null;
  /** Cash co-payment in fen recorded with the hold (低偿); 0 for holds without. */
  readonly cashCopayFen: number;
  status: HoldStatus;
}

/** A standing consent to one partner; revoking it removes it. */
export interface SpendMandateState {
  readonly partnerId: string;
  readonly monthlyCapCentipoints: number;
  readonly endsAtMs: number | null;
}

export interface SentTransferState {
  readonly toVolunteerId: string;
  readonly centipoints: number;
  refunded: boolean;
}

export interface StarAward {
  readonly level: number;
  readonly effectiveAtMs: number;
  flaggedForReview: boolean;
}

/** An issued certificate exactly as its event recorded it: a snapshot, never recomputed. */
export type IssuedCertificate = Readonly<EventData<'ServiceCertificateIssued'>>;

/** A dispute the volunteer filed, and its outcome once resolved. */
export interface DisputeState {
  readonly disputeId: string;
  readonly kind: DisputeKind;
  readonly organisationId: string;
  readonly recordId: string | null;
  /** The volunteer's words, as the ledger loaded them (opened, or a placeholder after erasure). */
  readonly text: string;
  outcome: DisputeOutcome | null;
}

/** A training (培训) or commendation (表彰奖励) exactly as its event recorded it. */
export type TrainingRecord = Readonly<EventData<'TrainingRecorded'>>;
export type CommendationRecord = Readonly<EventData<'CommendationRecorded'>>;

export interface VolunteerState {
  status: 'unregistered' | 'active' | 'inactive';
  /**
   * `volunteer` for a registered volunteer; `beneficiary` for a donation-pool beneficiary's
   * spending account, opened by its first allocation: it only receives allocations and spends
   * them with partners (docs/domain.md, "The donation pool pays out").
   */
  kind: 'volunteer' | 'beneficiary';
  volunteerId: string | null;
  volunteerNumber: string | null;
  name: string | null;
  /** True after `PersonalDataErased`: personal fields read as placeholders and every command is refused. */
  personalDataErased: boolean;
  community: string | null;
  nationalIdMasked: string | null;
  /** The volunteer's number on the national or city platform, when known; personal data. */
  platformVolunteerNumber: string | null;
  /** From the ID number at registration; null before registration and on streams registered before it was kept. */
  birthDate: CalendarDate | null;
  records: Map<string, ServiceRecordState>;
  /** Sum of durations of confirmed records that are not voided or corrected. */
  confirmedMinutes: number;
  awards: StarAward[];
  /** Epoch ms until which star applications are refused (`StarCertificationBarred`); null if never barred. */
  starBarredUntilMs: number | null;
  /** Balance of `volunteer:<id>`: spendable points (before expiry that is due but not yet recorded). */
  availableCentipoints: number;
  /** Balance of `held:<id>`. */
  heldCentipoints: number;
  /** Balance of `offered:<id>`. */
  offeredCentipoints: number;
  /**
   * Reversals' shortfalls that held points may still cover, by record: what a void or correction
   * could not take back while points sat in holds pending at the time. Each such hold released
   * or expired gives its points back, and the shortfall is taken from them (`resolveHold`,
   * `expireHold`); a captured hold's points are spent, and once none of those holds is pending
   * the entry goes, its remainder a shortfall for review as before.
   */
  recoverableShortfalls: Map<string, RecoverableShortfall>;
  /** Pending holds, and the latest `SETTLED_HOLDS_KEPT` settled ones, by hold id. */
  holds: Map<string, HoldState>;
  /** Ids of the settled holds still in `holds`, oldest settlement first. */
  settledHoldIds: Set<string>;
  /**
   * Centipoints of captured mandate holds dropped from `holds`, by partner and by the UTC minute
   * they were held in (epoch minutes): what a mandate's monthly cap still counts. A local month
   * starts on a whole minute, so minutes sum exactly; minutes older than
   * `MANDATE_MINUTES_KEPT_MS` before the latest hold are dropped, as no month reaches back that far.
   */
  mandateCapturedByMinute: Map<string, Map<number, number>>;
  /** Standing mandates in force, by partner. */
  mandates: Map<string, SpendMandateState>;
  /** Disputes filed, by id; open while `outcome` is null. */
  disputes: Map<string, DisputeState>;
  /** Hashes of spend codes already used, each good for one hold only. */
  usedSpendCodeHashes: Set<string>;
  sentTransfers: Map<string, SentTransferState>;
  /** Ids of transfers received and, on a beneficiary's stream, of pool allocations received. */
  receivedTransferIds: Set<string>;
  /** Earned centipoints per local service day, for the daily earning cap. */
  earnedByDay: Map<number, number>;
  /**
   * Credits that expire, by the record that earned them. `settled` is set once the clock has
   * expired the lot by its record id (`ExpirePoints` with `recordId`), so it is never expired twice.
   * `expiredCentipoints` is how much of the lot expiries took (absent: none): a void or correction
   * of the record does not take those points a second time. A reversal of the record takes what it
   * took back out of `centipoints`; the lot stays while something is left (what spending and expiry
   * took and the reversal did not take back), so that stays counted against this lot.
   */
  expiringLots: Map<
    string,
    { expiresAtMs: number; centipoints: number; settled?: boolean; expiredCentipoints?: number }
  >;
  /** Net points that left the available account other than by expiry; allocated to the soonest-expiring lots first. */
  spentNetCentipoints: number;
  expiredCentipoints: number;
  /** Certificates issued, by number, in issue order; the next sequence is `size + 1`. */
  certificates: Map<string, IssuedCertificate>;
  /** Trainings and commendations, in the order they were recorded. */
  trainings: TrainingRecord[];
  commendations: CommendationRecord[];
  /** Idempotency key → event types its command produced; insertion-ordered and bounded. */
  processedKeys: Map<string, Set<EventType>>;
}

/**
 * Idempotency keys remembered per stream: the latest 100 commands, which covers an in-process
 * retry of any of them. It bounds the folded state by configuration of the code, not by the
 * stream's length (each key costs about 250 bytes of heap in every cached stream). Older repeats
 * are still answered once: over HTTP the store's idempotency claims (durable, unbounded) answer
 * them before the domain decides, and an in-process repeat derives the same event ids from its
 * key, which the store refuses. A constant, not configuration: state must fold the same way in
 * every deployment.
 */
export const PROCESSED_KEYS_MAX = 100;

/**
 * Settled (captured, released or expired) holds kept in `holds`: the latest 100. A settled hold
 * matters to a later capture or release only as the reason for the refusal (`HOLD_ALREADY_RESOLVED`
 * rather than `HOLD_NOT_FOUND`: either way nothing moves twice) and to the mandate's monthly cap,
 * which keeps the captured amounts of dropped holds in `mandateCapturedByMinute`. A constant, for
 * the same reason as `PROCESSED_KEYS_MAX`.
 */
export const SETTLED_HOLDS_KEPT = 100;

/** How far back `mandateCapturedByMinute` reaches before the latest hold: 32 days, above any month. */
export const MANDATE_MINUTES_KEPT_MS = 32 * 24 * 3_600_000;

export function initialVolunteerState(): VolunteerState {
  return {
    status: 'unregistered',
    kind: 'volunteer',
    volunteerId: null,
    volunteerNumber: null,
    name: null,
    personalDataErased: false,
    community: null,
    nationalIdMasked: null,
    platformVolunteerNumber: null,
    birthDate: null,
    records: new Map(),
    confirmedMinutes: 0,
    awards: [],
    starBarredUntilMs: null,
    availableCentipoints: 0,
    heldCentipoints: 0,
    offeredCentipoints: 0,
    recoverableShortfalls: new Map(),
    holds: new Map(),
    settledHoldIds: new Set(),
    mandateCapturedByMinute: new Map(),
    mandates: new Map(),
    disputes: new Map(),
    usedSpendCodeHashes: new Set(),
    sentTransfers: new Map(),
    receivedTransferIds: new Set(),
    earnedByDay: new Map(),
    expiringLots: new Map(),
    spentNetCentipoints: 0,
    expiredCentipoints: 0,
    certificates: new Map(),
    trainings: [],
    commendations: [],
    processedKeys: new Map(),
  };
}

/** A deep copy, so that `evolve` never changes the state it was given. */
export function cloneVolunteerState(state: VolunteerState): VolunteerState {
  const copyMap = <K, V extends object>(map: Map<K, V>): Map<K, V> =>
    new Map([...map].map(([key, value]) => [key, { ...value }]));
  return {
    ...state,
    records: copyMap(state.records),
    awards: state.awards.map((award) => ({ ...award })),
    holds: copyMap(state.holds),
    // Entries are replaced, never mutated: the copy may share them.
    recoverableShortfalls: new Map(state.recoverableShortfalls),
    settledHoldIds: new Set(state.settledHoldIds),
    mandateCapturedByMinute: new Map(
      [...state.mandateCapturedByMinute].map(([partnerId, minutes]) => [partnerId, new Map(minutes)]),
    ),
    mandates: copyMap(state.mandates),
    disputes: copyMap(state.disputes),
    usedSpendCodeHashes: new Set(state.usedSpendCodeHashes),
    sentTransfers: copyMap(state.sentTransfers),
    receivedTransferIds: new Set(state.receivedTransferIds),
    earnedByDay: new Map(state.earnedByDay),
    expiringLots: copyMap(state.expiringLots),
    // Certificates are immutable snapshots, so the copy may share them.
    certificates: new Map(state.certificates),
    // Training and commendation records are immutable too; only the lists are copied.
    trainings: [...state.trainings],
    commendations: [...state.commendations],
    processedKeys: new Map([...state.processedKeys].map(([key, types]) => [key, new Set(types)])),
  };
}
