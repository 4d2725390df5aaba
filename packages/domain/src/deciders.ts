/**
 * One decider per stream family, in the Emmett shape `{ initialState, evolve, decide }`, and the
 * routing of each command to its stream. The application layer reads the stream, folds it with
 * `evolve`, calls `decide`, and appends the events with the stream's revision as the expected
 * revision (`no_stream` for an empty stream).
 */
import type { Command, CommandOf, CommandType } from './commands/index.js';
import type { DecideContext } from './context.js';
import type { DomainError } from './errors.js';
import {
  decideSpendCode,
  evolveSpendCode,
  initialSpendCodeState,
  type SpendCodeState,
} from './consent/spend-code.js';
import type { DomainEvent } from './events/index.js';
import {
  decidePolicy,
  evolvePolicy,
  initialPolicyState,
  type PolicyCommand,
  type PolicyState,
} from './policy/policy.js';
import {
  decideDonationPool,
  evolveDonationPool,
  initialDonationPoolState,
  type DonationPoolCommand,
  type DonationPoolState,
} from './registry/donation-pool.js';
import {
  decideHierarchy,
  evolveHierarchy,
  initialHierarchyState,
  type HierarchyCommand,
  type HierarchyState,
} from './registry/hierarchy.js';
import {
  decideOrganisation,
  evolveOrganisation,
  initialOrganisationState,
  type OrganisationCommand,
  type OrganisationState,
} from './registry/organisation.js';
import {
  decidePartner,
  evolvePartner,
  initialPartnerState,
  type PartnerCommand,
  type PartnerState,
} from './registry/partner.js';
import {
  decideProject,
  evolveProject,
  initialProjectState,
  type ProjectCommand,
  type ProjectState,
} from './registry/project.js';
import {
  donationPoolStream,
  projectStream,
  hierarchyStream,
  organisationStream,
  partnerStream,
  policyStream,
  spendCodeStream,
  volunteerIdForNationalIdHash,
  volunteerStream,
} from './streams.js';
import { decideVolunteer, VOLUNTEER_COMMAND_EFFECT, type VolunteerCommand } from './volunteer/decider.js';
import { applyVolunteerEvent, evolveVolunteer } from './volunteer/evolve.js';
import { initialVolunteerState, type VolunteerState } from './volunteer/state.js';

export interface Decider<State, C extends Command> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: DomainEvent) => State;
  readonly decide: (command: C, state: State, context: DecideContext) => DomainEvent[] | DomainError;
}

export const volunteerDecider: Decider<VolunteerState, VolunteerCommand> = {
  initialState: initialVolunteerState,
  evolve: evolveVolunteer,
  decide: decideVolunteer,
};

export const partnerDecider: Decider<PartnerState, PartnerCommand> = {
  initialState: () => initialPartnerState,
  evolve: evolvePartner,
  decide: decidePartner,
};

export const organisationDecider: Decider<OrganisationState, OrganisationCommand> = {
  initialState: () => initialOrganisationState,
  evolve: evolveOrganisation,
  decide: decideOrganisation,
};

export const hierarchyDecider: Decider<HierarchyState, HierarchyCommand> = {
  initialState: () => initialHierarchyState,
  evolve: evolveHierarchy,
  decide: decideHierarchy,
};

export const projectDecider: Decider<ProjectState, ProjectCommand> = {
  initialState: () => initialProjectState,
  evolve: evolveProject,
  decide: decideProject,
};

export const policyDecider: Decider<PolicyState, PolicyCommand> = {
  initialState: () => initialPolicyState,
  evolve: evolvePolicy,
  decide: decidePolicy,
};

export const donationPoolDecider: Decider<DonationPoolState, DonationPoolCommand> = {
  initialState: () => initialDonationPoolState,
  evolve: evolveDonationPool,
  decide: decideDonationPool,
};

export const spendCodeDecider: Decider<SpendCodeState, CommandOf<'IssueSpendCode'>> = {
  initialState: () => initialSpendCodeState,
  evolve: evolveSpendCode,
  decide: decideSpendCode,
};

/** The folded state of each stream family. */
export interface StreamStates {
  readonly volunteer: VolunteerState;
  readonly partner: PartnerState;
  readonly organisation: OrganisationState;
  readonly policy: PolicyState;
  readonly 'donation-pool': DonationPoolState;
  readonly 'spend-code': SpendCodeState;
  readonly hierarchy: HierarchyState;
  readonly project: ProjectState;
}

export type StreamKind = keyof StreamStates;

/**
 * A stream family's decider as the application drives it: it takes any command that
 * `COMMAND_STREAM_KIND` routes to the family, and may fold in place.
 */
export interface StreamDecider<State> extends Decider<State, Command> {
  /**
   * Optional: applies an event by mutating `state`, for a caller that owns the state exclusively;
   * cloning a long stream's state per event would make loading it quadratic.
   */
  readonly applyInPlace?: (state: State, event: DomainEvent) => void;
}

/**
 * A family's decider is typed for its own commands; it only ever receives them, because commands
 * reach it through `COMMAND_STREAM_KIND`, so widening the command type here is sound in use.
 */
function routed<State, C extends Command>(decider: Decider<State, C>): StreamDecider<State> {
  return decider as unknown as StreamDecider<State>;
}

const STREAM_DECIDERS: { readonly [K in StreamKind]: StreamDecider<StreamStates[K]> } = {
  volunteer: { ...routed(volunteerDecider), applyInPlace: applyVolunteerEvent },
  partner: routed(partnerDecider),
  organisation: routed(organisationDecider),
  policy: routed(policyDecider),
  'donation-pool': routed(donationPoolDecider),
  'spend-code': routed(spendCodeDecider),
  hierarchy: routed(hierarchyDecider),
  project: routed(projectDecider),
};

/** The decider (and fold) of a stream family: the one table the application and the tests use. */
export function deciderFor<K extends StreamKind>(kind: K): StreamDecider<StreamStates[K]> {
  return STREAM_DECIDERS[kind];
}

/** Which stream family decides each command. */
export const COMMAND_STREAM_KIND: Readonly<Record<CommandType, StreamKind>> = Object.freeze({
  ...(Object.fromEntries(Object.keys(VOLUNTEER_COMMAND_EFFECT).map((type) => [type, 'volunteer'])) as Record<
    keyof typeof VOLUNTEER_COMMAND_EFFECT,
    'volunteer'
  >),
  RegisterPartner: 'partner',
  PublishPartnerOffer: 'partner',
  SuspendPartner: 'partner',
  ReinstatePartner: 'partner',
  RegisterOrganisation: 'organisation',
  SuspendOrganisation: 'organisation',
  ReinstateOrganisation: 'organisation',
  ChangePointsPolicy: 'policy',
  WithdrawPointsPolicyVersion: 'policy',
  ReceiveDonation: 'donation-pool',
  ConfigureBeneficiaryCategory: 'donation-pool',
  RegisterBeneficiary: 'donation-pool',
  AllocatePoolPoints: 'donation-pool',
  EraseBeneficiaryData: 'donation-pool',
  IssueSpendCode: 'spend-code',
  RegisterArea: 'hierarchy',
  RegisterCommunity: 'hierarchy',
  MoveCommunity: 'hierarchy',
  EraseCoordinatorData: 'hierarchy',
  RegisterProject: 'project',
  RegisterTeam: 'project',
  JoinTeam: 'project',
  ConfirmGroupActivity: 'project',
  DonateGroupPoints: 'project',
  UseGroupPoints: 'project',
  ReceiveGroupDonation: 'donation-pool',
});

/**
 * The stream a command is decided on. `RegisterVolunteer` needs the keyed hash of the ID number,
 * because the volunteer id is derived from it.
 */
export function streamForCommand(command: Command, nationalIdHash?: string): string {
  switch (command.type) {
    case 'RegisterVolunteer':
      if (nationalIdHash === undefined)
        throw new Error('RegisterVolunteer is routed by the keyed hash of its ID number');
      return volunteerStream(volunteerIdForNationalIdHash(nationalIdHash));
    case 'RegisterPartner':
    case 'PublishPartnerOffer':
    case 'SuspendPartner':
    case 'ReinstatePartner':
      return partnerStream(command.partnerId);
    case 'RegisterOrganisation':
    case 'SuspendOrganisation':
    case 'ReinstateOrganisation':
      return organisationStream(command.organisationId);
    case 'ChangePointsPolicy':
    case 'WithdrawPointsPolicyVersion':
      return policyStream;
    case 'ReceiveDonation':
    case 'ConfigureBeneficiaryCategory':
    case 'RegisterBeneficiary':
    case 'AllocatePoolPoints':
    case 'EraseBeneficiaryData':
    case 'ReceiveGroupDonation':
      return donationPoolStream;
    case 'IssueSpendCode':
      return spendCodeStream(command.codeHash);
    case 'RegisterArea':
    case 'RegisterCommunity':
    case 'MoveCommunity':
    case 'EraseCoordinatorData':
      return hierarchyStream;
    case 'RegisterProject':
    case 'RegisterTeam':
    case 'JoinTeam':
    case 'ConfirmGroupActivity':
    case 'DonateGroupPoints':
    case 'UseGroupPoints':
      return projectStream(command.projectId);
    default:
      return volunteerStream(command.volunteerId);
  }
}
