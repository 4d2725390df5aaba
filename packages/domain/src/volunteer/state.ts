/**
 * State of a `volunteer-<id>` stream, folded from its events. One stream holds registration,
 * service records, stars and the points account, so that a spend decision sees every credit
 * and debit under one expected revision.
 */
import type { CalendarDate } from '../age.js';
import type { ConsentForm, DisputeKind, DisputeOutcome, EventData, EventType } from '../events/index.js';
import type { QualityGrade } from '../rules.js';

export type RecordStatus = 'pending' | 'confirmed' | 'rejected' | 'voided' | 'corrected';

export interface ServiceRecordState {
  readonly recordId: string;
  readonly activity: string;
  readonly organisationId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMinutes: number;
  status: RecordStatus;
  qualityGrade: QualityGrade | null;
  /** Centipoints this record earned and that were not reversed. */
  earnedCentipoints: number;
  /** Local day the earning counted against for the daily earning cap. */
  earnedServiceDay: number | null;
}

export type HoldStatus = 'pending' | 'captured' | 'released' | 'expired';

export interface HoldState {
  readonly holdId: string;
  readonly partnerId: string;
  readonly offerId: string;
  readonly centipoints: number;
  readonly expiresAtMs: number;
  readonly heldAtMs: number;
  /** The consent that authorised the hold; null for holds from before consent was required. */
  readonly consentForm: ConsentForm | null;
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
  holds: Map<string, HoldState>;
  /** Standing mandates in force, by partner. */
  mandates: Map<string, SpendMandateState>;
  /** Disputes filed, by id; open while `outcome` is null. */
  disputes: Map<string, DisputeState>;
  /** Hashes of spend codes already used, each good for one hold only. */
  usedSpendCodeHashes: Set<string>;
  sentTransfers: Map<string, SentTransferState>;
  receivedTransferIds: Set<string>;
  /** Earned centipoints per local service day, for the daily earning cap. */
  earnedByDay: Map<number, number>;
  /**
   * Credits that expire, by the record that earned them. `settled` is set once the clock has
   * expired the lot by its record id (`ExpirePoints` with `recordId`), so it is never expired twice.
   */
  expiringLots: Map<string, { expiresAtMs: number; centipoints: number; settled?: boolean }>;
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
 * Idempotency keys remembered per stream: 10,000, far above a volunteer's commands in years.
 * Beyond the bound, commands that carry an id (holds, transfers, records) stay idempotent by
 * the id. A constant, not configuration: state must fold the same way in every deployment.
 */
export const PROCESSED_KEYS_MAX = 10_000;

export function initialVolunteerState(): VolunteerState {
  return {
    status: 'unregistered',
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
    holds: new Map(),
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
