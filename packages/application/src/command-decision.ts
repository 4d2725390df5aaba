/**
 * How a command is decided: on which stream, with which fold, and with which context (clock,
 * rules, points policy, partner). Executing a command and its dry run share this, so the dry run
 * decides exactly as the execution would.
 */
import {
  COMMAND_STREAM_KIND,
  deciderFor,
  hierarchyStream,
  organisationStream,
  partnerStream,
  projectStream,
  policyStream,
  spendCodeStream,
  streamForCommand,
  volunteerStream,
  type Command,
  type DecideContext,
  type DomainError,
  type DomainEvent,
  type LedgerRules,
  type PartnerState,
  type PolicyState,
  type SpendCodeState,
  type StreamDecider,
  type VolunteerState,
  type StreamStates,
} from '@timebank/domain';
import type { DependencyLoader } from './command-handler.js';
import { deterministicEventId } from './event-ids.js';
import { volunteerNumberFromHash } from './volunteer-number.js';

type AnyStreamState = StreamStates[keyof StreamStates];

export interface CommandDecision {
  readonly streamName: string;
  readonly fold: StreamDecider<AnyStreamState>;
  /** Decides on the stream's state; built per attempt, so a retry sees the current clock and policy. */
  readonly decide: (
    state: AnyStreamState,
    revision: bigint,
    loadDependency: DependencyLoader,
  ) => Promise<DomainEvent[] | DomainError>;
}

export interface CommandDecisionOptions {
  readonly clock: () => number;
  readonly rules: LedgerRules;
  readonly nationalIdHash: (nationalIdNumber: string) => string;
}

interface Registration {
  readonly nationalIdHash: string;
  readonly volunteerId?: string;
  readonly volunteerNumber: string;
}

/** The organisation, project, hierarchy or team member a command is checked against, from their streams. */
async function otherDependencies(
  command: Command,
  load: DependencyLoader,
): Promise<Pick<DecideContext, 'organisation' | 'project' | 'hierarchy' | 'volunteer'>> {
  if (command.type === 'JoinTeam')
    return {
      volunteer: (await load(volunteerStream(command.memberVolunteerId), deciderFor('volunteer'))).state,
    };
  if (command.type === 'RegisterProject')
    return {
      organisation: (await load(organisationStream(command.organisationId), deciderFor('organisation')))
        .state,
    };
  if (command.type === 'RecordServiceHours' && command.projectId !== undefined)
    return { project: (await load(projectStream(command.projectId), deciderFor('project'))).state };
  if (command.type === 'IssueServiceCertificate')
    return { hierarchy: (await load(hierarchyStream, deciderFor('hierarchy'))).state };
  // Missing hours must name a body that organises service: a registered organisation or a community.
  if (
    command.type === 'FileDispute' &&
    command.kind === 'missing_hours' &&
    command.organisationId !== undefined
  )
    return {
      organisation: (await load(organisationStream(command.organisationId), deciderFor('organisation')))
        .state,
      hierarchy: (await load(hierarchyStream, deciderFor('hierarchy'))).state,
    };
  return {};
}

/** The partner whose folded stream a command is decided with: the one it spends with or binds a consent to. */
function partnerNamedBy(command: Command): string | undefined {
  if (
    command.type === 'HoldPoints' ||
    command.type === 'RedeemPoints' ||
    command.type === 'GrantSpendMandate'
  )
    return command.partnerId;
  // A spend code bound to a partner: the partner must be registered (PARTNER_NOT_FOUND).
  if (command.type === 'IssueSpendCode') return command.partnerId;
  return undefined;
}

/**
 * Routes each command to its stream and gives its decision the context it needs. A registration
 * may come with the volunteer id the duplicate index allocated to its ID number.
 */
export function commandDecisions(
  options: CommandDecisionOptions,
): (command: Command, allocatedVolunteerId?: string) => CommandDecision {
  /**
   * `ownPolicy` is the policy stream's state when the command is decided on that stream itself:
   * loading it again would wait in the stream's queue behind this very command.
   */
  async function contextFor(
    command: Command,
    registration: Registration | undefined,
    ownPolicy: PolicyState | undefined,
    load: DependencyLoader,
  ): Promise<DecideContext> {
    const pointsPolicy = ownPolicy ?? (await load(policyStream, deciderFor('policy'))).state;
    let partner: PartnerState | undefined;
    let spendCode: SpendCodeState | undefined;
    let volunteer: VolunteerState | undefined;
    const partnerId = partnerNamedBy(command);
    if (partnerId !== undefined)
      partner = (await load(partnerStream(partnerId), deciderFor('partner'))).state;
    if (
      (command.type === 'HoldPoints' || command.type === 'RedeemPoints') &&
      command.spendCodeHash !== undefined
    )
      spendCode = (await load(spendCodeStream(command.spendCodeHash), deciderFor('spend-code'))).state;
    if (command.type === 'IssueSpendCode')
      volunteer = (await load(volunteerStream(command.volunteerId), deciderFor('volunteer'))).state;
    const others = await otherDependencies(command, load);
    let idCounter = 0;
    return {
      now: new Date(options.clock()).toISOString(),
      // Ids derive from the idempotency key, so a retried command names the same record or hold.
      newId: () =>
        `id${deterministicEventId(command.idempotencyKey, 'new-id', idCounter++).replaceAll('-', '')}`,
      rules: options.rules,
      pointsPolicy,
      ...(registration === undefined ? {} : registration),
      ...(partner === undefined ? {} : { partner }),
      ...(spendCode === undefined ? {} : { spendCode }),
      ...(volunteer === undefined ? {} : { volunteer }),
      ...others,
    };
  }

  /**
   * A registration's context: with an allocated (random) volunteer id, the stream and the volunteer
   * number follow that id; without one, both derive from the ID number's keyed hash.
   */
  function registrationOf(
    command: Command,
    allocatedVolunteerId: string | undefined,
  ): Registration | undefined {
    if (command.type !== 'RegisterVolunteer') return undefined;
    const nationalIdHash = options.nationalIdHash(command.nationalIdNumber);
    if (allocatedVolunteerId === undefined)
      return { nationalIdHash, volunteerNumber: volunteerNumberFromHash(nationalIdHash) };
    return {
      nationalIdHash,
      volunteerId: allocatedVolunteerId,
      volunteerNumber: volunteerNumberFromHash(allocatedVolunteerId.slice(1)),
    };
  }

  return (command, allocatedVolunteerId) => {
    const registration = registrationOf(command, allocatedVolunteerId);
    const kind = COMMAND_STREAM_KIND[command.type];
    const decider = deciderFor(kind);
    return {
      streamName:
        registration?.volunteerId === undefined
          ? streamForCommand(command, registration?.nationalIdHash)
          : volunteerStream(registration.volunteerId),
      fold: decider,
      async decide(state, _revision, loadDependency) {
        const ownPolicy = kind === 'policy' ? (state as PolicyState) : undefined;
        const context = await contextFor(command, registration, ownPolicy, loadDependency);
        return decider.decide(command, state, context);
      },
    };
  };
}
