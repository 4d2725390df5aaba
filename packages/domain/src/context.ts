/** What a decider needs from the world, passed in so that deciding stays pure and replayable. */
import type { SpendCodeState } from './consent/spend-code.js';
import type { HierarchyState } from './registry/hierarchy.js';
import type { OrganisationState } from './registry/organisation.js';
import type { PartnerState } from './registry/partner.js';
import type { ProjectState } from './registry/project.js';
import type { PolicyState } from './policy/policy.js';
import type { LedgerRules } from './rules.js';
import type { VolunteerState } from './volunteer/state.js';

export interface DecideContext {
  /** The clock: an ISO-8601 UTC instant. */
  readonly now: string;
  /** Fresh ids for records, holds, transfers, …; the caller decides how (UUIDs, or derived from the idempotency key). */
  readonly newId: () => string;
  readonly rules: LedgerRules;
  /** Every points-policy version (the folded `policy-points` stream). */
  readonly pointsPolicy: PolicyState;
  /** `RegisterVolunteer` only: keyed hash (lower-case hex) of the normalised national ID number. */
  readonly nationalIdHash?: string;
  /**
   * `RegisterVolunteer` only: the volunteer id the application allocated (random, found through
   * its erasable duplicate index). Absent: derived from `nationalIdHash`, as before.
   */
  readonly volunteerId?: string;
  /** `RegisterVolunteer` only: the unified volunteer number to assign. */
  readonly volunteerNumber?: string;
  /** `HoldPoints` / `RedeemPoints` / `GrantSpendMandate` / `IssueSpendCode` naming a partner: the folded stream of the partner named in the command. */
  readonly partner?: PartnerState;
  /** `IssueSpendCode` / `JoinTeam` only: the folded stream of the volunteer the code is for (or who joins). */
  readonly volunteer?: VolunteerState;
  /** `HoldPoints` / `RedeemPoints` with a `spendCodeHash` only: the folded stream of that code. */
  readonly spendCode?: SpendCodeState;
  /**
   * `RegisterProject`: the folded stream of the organisation that runs the project; `FileDispute`
   * for missing hours: that of the organisation named.
   */
  readonly organisation?: OrganisationState;
  /** `RecordServiceHours` / `CorrectServiceRecord` naming a project: the folded project stream. */
  readonly project?: ProjectState;
  /**
   * `IssueServiceCertificate`: the hierarchy, for the community coordinator shown as person in
   * charge; `FileDispute` for missing hours: whether the organising body named is a community.
   */
  readonly hierarchy?: HierarchyState;
}
