/**
 * Every number the rules use, as configuration with the defaults from DOMAIN.md. The points
 * terms here are the policy in force before the first `PointsPolicyChanged`; later versions
 * come from the `policy-points` stream.
 */

export const QUALITY_GRADES = ['poor', 'standard', 'good', 'excellent'] as const;
export type QualityGrade = (typeof QUALITY_GRADES)[number];

/** The knobs of one points-policy version. All amounts in centipoints (1/100 point). */
export interface PointsPolicyTerms {
  /** Centipoints per hour of confirmed service. Default 100: "1 hour = 1 point" (DOMAIN.md). */
  readonly ratePerHourCentipoints: number;
  /** Multiplier per quality grade, in percent (100 = ×1). Integer percent keeps the arithmetic exact. */
  readonly qualityMultiplierPercent: Readonly<Record<QualityGrade, number>>;
  /** Most centipoints a volunteer may hold; the excess is offered for donation. Default 150,000 = 1,500 points (Nanjing, Guangzhou). */
  readonly balanceCapCentipoints: number;
  /** Most centipoints earned per local service day, or null for none. Changning uses 200 (2 points a day). */
  readonly dailyEarningCapCentipoints: number | null;
  /** Stars needed before points can be redeemed (0 = none). Guangzhou uses 1. */
  readonly minStarToRedeem: number;
  /** Days after earning that points expire, or null for never. Default never (DOMAIN.md: optional). */
  readonly expiryDays: number | null;
}

export interface LedgerRules {
  /** Longest single service record, in minutes. Default 720 (12 h, DOMAIN.md). */
  readonly serviceRecordMinutesMax: number;
  /** Most service minutes one volunteer may record on one local day. Default 960 (16 h, DOMAIN.md). */
  readonly dailyServiceMinutesMax: number;
  /** How far back a service may start unless an administrator records it, in days. Default 90 (DOMAIN.md). */
  readonly backdatingDaysMax: number;
  /**
   * How far back even an administrator may date a service, in days; beyond `backdatingDaysMax`
   * the administrator must also give a reason. Default 1,826 (five years): our choice, long
   * enough to bring in records kept on paper or on another platform (DOMAIN.md: records kept
   * elsewhere must be brought in), short enough that a mistyped year (1900, 2016) is refused.
   */
  readonly adminBackdatingDaysMax: number;
  /**
   * Youngest age at which a person may register, and before which no service may be dated, in
   * whole years. Default 14: our choice, not the law's. The national regulation lets minors
   * volunteer with a guardian's consent but names no age; 14 admits secondary-school students
   * and keeps children out of a points economy.
   */
  readonly registrationAgeYearsMin: number;
  /**
   * Age of majority in whole years: a person registering below it needs a guardian's consent,
   * recorded in the registration. Default 18 (Civil Code Art. 17).
   */
  readonly adultAgeYears: number;
  /** Offset of local time from UTC in minutes, for day boundaries. Default 480 (China Standard Time, UTC+8). */
  readonly localTimeOffsetMinutes: number;
  /** Cumulative confirmed hours for one to five stars. Default 100/300/600/1000/1500 (DOMAIN.md). */
  readonly starThresholdsHours: readonly number[];
  /** Public-notice window before a star takes effect, in days. Default 0; some provinces use 5 working days. */
  readonly starNoticeWindowDays: number;
  /** Hold timeout when the partner names none, in seconds. Default 86,400 (one day): our choice, not from the policy texts. */
  readonly holdTimeoutSecondsDefault: number;
  /** Longest hold a partner may ask for, in seconds. Default 2,592,000 (30 days): bounds points locked by a forgotten hold. */
  readonly holdTimeoutSecondsMax: number;
  /**
   * How long a spend code stays valid, in seconds. Default 120: WeChat's payment code lives a
   * minute; a volunteer showing a code at a counter needs a little longer. docs/domain.md shows
   * why 16 digits and this lifetime keep guessing below 10⁻⁶.
   */
  readonly spendCodeValiditySeconds: number;
  /** The points policy in force before any `PointsPolicyChanged`. */
  readonly initialPointsPolicy: PointsPolicyTerms;
}

export const DEFAULT_POINTS_POLICY: PointsPolicyTerms = Object.freeze({
  ratePerHourCentipoints: 100,
  qualityMultiplierPercent: Object.freeze({ poor: 50, standard: 100, good: 120, excellent: 150 }),
  balanceCapCentipoints: 150_000,
  dailyEarningCapCentipoints: null,
  minStarToRedeem: 0,
  expiryDays: null,
});

export const DEFAULT_LEDGER_RULES: LedgerRules = Object.freeze({
  serviceRecordMinutesMax: 12 * 60,
  dailyServiceMinutesMax: 16 * 60,
  backdatingDaysMax: 90,
  adminBackdatingDaysMax: 1826,
  registrationAgeYearsMin: 14,
  adultAgeYears: 18,
  localTimeOffsetMinutes: 8 * 60,
  starThresholdsHours: Object.freeze([100, 300, 600, 1000, 1500]),
  starNoticeWindowDays: 0,
  holdTimeoutSecondsDefault: 86_400,
  holdTimeoutSecondsMax: 30 * 86_400,
  spendCodeValiditySeconds: 120,
  initialPointsPolicy: DEFAULT_POINTS_POLICY,
});

/**
 * Checks a rules object at start-up; bad configuration must fail before any command runs.
 * Throws an Error naming the field.
 */
export function assertValidRules(rules: LedgerRules): void {
  const positive = (name: string, value: number): void => {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new Error(`ledger rule ${name} must be a positive integer, got ${value}`);
  };
  positive('serviceRecordMinutesMax', rules.serviceRecordMinutesMax);
  positive('dailyServiceMinutesMax', rules.dailyServiceMinutesMax);
  positive('backdatingDaysMax', rules.backdatingDaysMax);
  positive('adminBackdatingDaysMax', rules.adminBackdatingDaysMax);
  if (rules.adminBackdatingDaysMax < rules.backdatingDaysMax)
    throw new Error('ledger rule adminBackdatingDaysMax is shorter than backdatingDaysMax');
  if (!Number.isSafeInteger(rules.registrationAgeYearsMin) || rules.registrationAgeYearsMin < 0)
    throw new Error('ledger rule registrationAgeYearsMin must be a non-negative integer');
  positive('adultAgeYears', rules.adultAgeYears);
  positive('holdTimeoutSecondsDefault', rules.holdTimeoutSecondsDefault);
  positive('holdTimeoutSecondsMax', rules.holdTimeoutSecondsMax);
  positive('spendCodeValiditySeconds', rules.spendCodeValiditySeconds);
  if (!Number.isSafeInteger(rules.starNoticeWindowDays) || rules.starNoticeWindowDays < 0) {
    throw new Error('ledger rule starNoticeWindowDays must be a non-negative integer');
  }
  if (Math.abs(rules.localTimeOffsetMinutes) > 14 * 60)
    throw new Error('ledger rule localTimeOffsetMinutes is out of range');
  if (rules.holdTimeoutSecondsDefault > rules.holdTimeoutSecondsMax) {
    throw new Error('ledger rule holdTimeoutSecondsDefault exceeds holdTimeoutSecondsMax');
  }
  const thresholds = rules.starThresholdsHours;
  thresholds.forEach((hours, index) => {
    positive(`starThresholdsHours[${index}]`, hours);
    if (index > 0 && hours <= (thresholds[index - 1] ?? 0))
      throw new Error('ledger rule starThresholdsHours must increase');
  });
  assertValidPolicyTerms(rules.initialPointsPolicy);
}

export function assertValidPolicyTerms(terms: PointsPolicyTerms): void {
  const nonNegative = (name: string, value: number): void => {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`points policy ${name} must be a non-negative integer, got ${value}`);
  };
  nonNegative('ratePerHourCentipoints', terms.ratePerHourCentipoints);
  for (const grade of QUALITY_GRADES)
    nonNegative(`qualityMultiplierPercent.${grade}`, terms.qualityMultiplierPercent[grade]);
  nonNegative('balanceCapCentipoints', terms.balanceCapCentipoints);
  if (terms.dailyEarningCapCentipoints !== null)
    nonNegative('dailyEarningCapCentipoints', terms.dailyEarningCapCentipoints);
  nonNegative('minStarToRedeem', terms.minStarToRedeem);
  if (terms.expiryDays !== null) nonNegative('expiryDays', terms.expiryDays);
}
