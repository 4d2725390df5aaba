/**
 * A `project-<projectId>` stream: a social-work project (社工项目) of one organisation, led by a
 * social worker, with its volunteer teams and each team's group points.
 *
 * Group points (DOMAIN.md: "Group-earned points can only be donated") live in the team's
 * `group:<projectId>:<teamId>` account. A confirmed group activity moves points in from
 * `issuance`; the only way out is `GroupPointsDonated` to the donation pool. Any other use is
 * refused with GROUP_POINTS_DONATION_ONLY, and no event of this stream moves points anywhere
 * else, so the invariant holds by construction and the property test checks it.
 */
import { groupAccount, IN_TRANSIT_ACCOUNT, ISSUANCE_ACCOUNT } from '../accounts.js';
import { actsForOrganisation } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';
import { policyInForceAt } from '../policy/policy.js';
import { formatInstant, parseInstant } from '../time.js';
import { pointsForMinutes } from '../volunteer/earning.js';
import { backdatingReasonRequired, checkBackdatingWindow } from '../volunteer/intake.js';

const MILLISECONDS_PER_MINUTE = 60_000;

export interface TeamState {
  readonly teamId: string;
  readonly name: string;
  readonly memberIds: ReadonlySet<string>;
  /** Balance of the team's `group:` account, in centipoints. */
  readonly groupCentipoints: number;
  /** Confirmed group activities by id, with their interval, to refuse repeats and overlaps. */
  readonly activities: ReadonlyMap<string, { readonly startMs: number; readonly endMs: number }>;
  readonly donationIds: ReadonlySet<string>;
}

export interface ProjectState {
  readonly projectId: string | null;
  readonly organisationId: string | null;
  readonly name: string | null;
  readonly leaderId: string | null;
  readonly leaderName: string | null;
  readonly leaderContact: string | null;
  readonly teams: ReadonlyMap<string, TeamState>;
  readonly processedKeys: ReadonlySet<string>;
}

export const initialProjectState: ProjectState = Object.freeze({
  projectId: null,
  organisationId: null,
  name: null,
  leaderId: null,
  leaderName: null,
  leaderContact: null,
  teams: new Map<string, TeamState>(),
  processedKeys: new Set<string>(),
});

export type ProjectCommand = CommandOf<
  | 'RegisterProject'
  | 'RegisterTeam'
  | 'JoinTeam'
  | 'ConfirmGroupActivity'
  | 'DonateGroupPoints'
  | 'UseGroupPoints'
>;

function withTeam(state: ProjectState, teamId: string, change: (team: TeamState) => TeamState): ProjectState {
  const team = state.teams.get(teamId);
  if (team === undefined) return state;
  return { ...state, teams: new Map(state.teams).set(teamId, change(team)) };
}

function evolveTeams(state: ProjectState, event: DomainEvent): ProjectState {
  switch (event.type) {
    case 'TeamRegistered': {
      const { teamId, name } = event.data;
      const team: TeamState = {
        teamId,
        name,
        memberIds: new Set(),
        groupCentipoints: 0,
        activities: new Map(),
        donationIds: new Set(),
      };
      return { ...state, teams: new Map(state.teams).set(teamId, team) };
    }
    case 'TeamMemberJoined':
      return withTeam(state, event.data.teamId, (team) => ({
        ...team,
        memberIds: new Set(team.memberIds).add(event.data.memberVolunteerId),
      }));
    case 'GroupActivityConfirmed': {
      const { activityId, startAt, endAt, centipoints } = event.data;
      return withTeam(state, event.data.teamId, (team) => ({
        ...team,
        groupCentipoints: team.groupCentipoints + centipoints,
        activities: new Map(team.activities).set(activityId, {
          startMs: parseInstant(startAt),
          endMs: parseInstant(endAt),
        }),
      }));
    }
    case 'GroupPointsDonated':
      return withTeam(state, event.data.teamId, (team) => ({
        ...team,
        groupCentipoints: team.groupCentipoints - event.data.centipoints,
        donationIds: new Set(team.donationIds).add(event.data.donationId),
      }));
    default:
      return state;
  }
}

export function evolveProject(state: ProjectState, event: DomainEvent): ProjectState {
  let next: ProjectState;
  if (event.type === 'ProjectRegistered') {
    const { projectId, organisationId, name, leaderId, leaderName, leaderContact } = event.data;
    next = { ...state, projectId, organisationId, name, leaderId, leaderName, leaderContact };
  } else {
    next = evolveTeams(state, event);
    if (next === state) return state;
  }
  const idempotencyKey = (event.data as { idempotencyKey: string }).idempotencyKey;
  return { ...next, processedKeys: new Set(state.processedKeys).add(idempotencyKey) };
}

function teamOf(state: ProjectState, teamId: string): TeamState | DomainError {
  return (
    state.teams.get(teamId) ?? reject('TEAM_NOT_FOUND', `no team ${teamId} in project ${state.projectId}`)
  );
}

function decideRegisterProject(
  command: CommandOf<'RegisterProject'>,
  state: ProjectState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (state.projectId !== null)
    return reject('PROJECT_ALREADY_REGISTERED', `project ${command.projectId} exists`);
  const { idempotencyKey, actor, projectId, organisationId, name, leaderId, leaderName, leaderContact } =
    command;
  if (!actsForOrganisation(actor, organisationId))
    return reject('NOT_ORGANISING_ORGANISATION', 'an organisation registers its own projects', {
      organisationId,
    });
  // The organisation must be registered and active: a project of nobody could never be checked.
  const organisation = context.organisation;
  if (organisation === undefined || organisation.status === 'unregistered')
    return reject('ORGANISATION_NOT_FOUND', `no organisation ${organisationId}`);
  if (organisation.status === 'suspended')
    return reject('ORGANISATION_SUSPENDED', `organisation ${organisationId} is suspended`);
  return [
    {
      type: 'ProjectRegistered',
      data: {
        idempotencyKey,
        projectId,
        organisationId,
        name,
        leaderId,
        leaderName,
        leaderContact,
        registeredAt: context.now,
        actor,
      },
    },
  ];
}

function decideJoinTeam(
  command: CommandOf<'JoinTeam'>,
  state: ProjectState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const team = teamOf(state, command.teamId);
  if (team instanceof Error) return team;
  const { idempotencyKey, actor, projectId, teamId, memberVolunteerId } = command;
  if (context.volunteer?.volunteerId !== memberVolunteerId)
    return reject('VOLUNTEER_NOT_FOUND', `no volunteer ${memberVolunteerId}`);
  if (context.volunteer.status !== 'active')
    return reject('VOLUNTEER_INACTIVE', `volunteer ${memberVolunteerId} is not active`);
  if (team.memberIds.has(memberVolunteerId))
    return reject('TEAM_MEMBER_ALREADY_JOINED', `${memberVolunteerId} is already in team ${teamId}`);
  return [
    {
      type: 'TeamMemberJoined',
      data: { idempotencyKey, projectId, teamId, memberVolunteerId, joinedAt: context.now, actor },
    },
  ];
}

/** Hours × rate × quality multiplier under the policy at the start, as a volunteer's earning. */
function decideGroupActivity(
  command: CommandOf<'ConfirmGroupActivity'>,
  state: ProjectState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const team = teamOf(state, command.teamId);
  if (team instanceof Error) return team;
  const { idempotencyKey, actor, projectId, teamId, activityId, activity, qualityGrade } = command;
  if (team.activities.has(activityId))
    return reject(
      'GROUP_ACTIVITY_ALREADY_CONFIRMED',
      `activity ${activityId} of team ${teamId} is confirmed`,
    );
  const startMs =
    Math.floor(parseInstant(command.startAt) / MILLISECONDS_PER_MINUTE) * MILLISECONDS_PER_MINUTE;
  const endMs = Math.floor(parseInstant(command.endAt) / MILLISECONDS_PER_MINUTE) * MILLISECONDS_PER_MINUTE;
  const durationMinutes = (endMs - startMs) / MILLISECONDS_PER_MINUTE;
  if (durationMinutes < 1)
    return reject('SERVICE_END_BEFORE_START', 'a group activity must last a minute or more');
  const nowMs = parseInstant(context.now);
  if (parseInstant(command.endAt) > nowMs)
    return reject('SERVICE_END_IN_FUTURE', 'a group activity cannot end in the future');
  // Group points are points: dated as a volunteer's record is (DOMAIN.md, back-dating window).
  const window = checkBackdatingWindow({ actor, startMs, nowMs, rules: context.rules });
  if (window instanceof Error) return window;
  const { backdatingReason } = command;
  if (window.beyondWindow && backdatingReason === undefined) return backdatingReasonRequired(context.rules);
  // The same per-record cap as a volunteer's record (default 12 h, DOMAIN.md plausibility at intake).
  if (durationMinutes > context.rules.serviceRecordMinutesMax)
    return reject(
      'SERVICE_RECORD_TOO_LONG',
      `a group activity may last at most ${context.rules.serviceRecordMinutesMax} minutes`,
    );
  for (const [otherId, other] of team.activities) {
    if (startMs < other.endMs && other.startMs < endMs)
      return reject('GROUP_ACTIVITY_OVERLAP', `team ${teamId} already has activity ${otherId} in this time`);
  }
  const atService = policyInForceAt(context.pointsPolicy, context.rules, startMs);
  const { terms } = atService;
  const multiplierPercent = terms.qualityMultiplierPercent[qualityGrade];
  return [
    {
      type: 'GroupActivityConfirmed',
      data: {
        idempotencyKey,
        fromAccount: ISSUANCE_ACCOUNT,
        toAccount: groupAccount(projectId, teamId),
        centipoints: pointsForMinutes(durationMinutes, terms.ratePerHourCentipoints, multiplierPercent),
        projectId,
        teamId,
        activityId,
        activity,
        startAt: formatInstant(startMs),
        endAt: formatInstant(endMs),
        durationMinutes,
        policyVersion: atService.version,
        ratePerHourCentipoints: terms.ratePerHourCentipoints,
        qualityGrade,
        qualityMultiplierPercent: multiplierPercent,
        ...(backdatingReason === undefined ? {} : { backdatingReason }),
        confirmedAt: context.now,
        actor,
      },
    },
  ];
}

function decideDonation(
  command: CommandOf<'DonateGroupPoints'>,
  state: ProjectState,
  at: string,
): DomainEvent[] | DomainError {
  const team = teamOf(state, command.teamId);
  if (team instanceof Error) return team;
  const { idempotencyKey, actor, projectId, teamId, donationId, centipoints } = command;
  if (team.donationIds.has(donationId))
    return reject('GROUP_DONATION_ALREADY_RECORDED', `donation ${donationId} of team ${teamId} is recorded`);
  if (centipoints > team.groupCentipoints)
    return reject('INSUFFICIENT_GROUP_POINTS', `team ${teamId} has ${team.groupCentipoints} centipoints`, {
      availableCentipoints: team.groupCentipoints,
    });
  return [
    {
      type: 'GroupPointsDonated',
      data: {
        idempotencyKey,
        fromAccount: groupAccount(projectId, teamId),
        toAccount: IN_TRANSIT_ACCOUNT,
        centipoints,
        projectId,
        teamId,
        donationId,
        donatedAt: at,
        actor,
      },
    },
  ];
}

export function decideProject(
  command: ProjectCommand,
  state: ProjectState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (state.processedKeys.has(command.idempotencyKey)) return [];
  if (command.type === 'RegisterProject') return decideRegisterProject(command, state, context);
  if (state.projectId === null) return reject('PROJECT_NOT_FOUND', `no project ${command.projectId}`);
  // Refused whoever asks (a partner most likely): the answer is the rule, not a missing permission.
  if (command.type === 'UseGroupPoints') return refuseUse(command, state);
  if (!actsForOrganisation(command.actor, state.organisationId ?? ''))
    return reject('NOT_ORGANISING_ORGANISATION', "only the project's organisation manages it", {
      organisationId: state.organisationId,
    });
  switch (command.type) {
    case 'RegisterTeam': {
      const { idempotencyKey, actor, projectId, teamId, name } = command;
      if (state.teams.has(teamId)) return reject('TEAM_ALREADY_REGISTERED', `team ${teamId} exists`);
      return [
        {
          type: 'TeamRegistered',
          data: { idempotencyKey, projectId, teamId, name, registeredAt: context.now, actor },
        },
      ];
    }
    case 'JoinTeam':
      return decideJoinTeam(command, state, context);
    case 'ConfirmGroupActivity':
      return decideGroupActivity(command, state, context);
    case 'DonateGroupPoints':
      return decideDonation(command, state, context.now);
  }
}

function refuseUse(command: CommandOf<'UseGroupPoints'>, state: ProjectState): DomainError {
  const team = teamOf(state, command.teamId);
  if (team instanceof Error) return team;
  return reject(
    'GROUP_POINTS_DONATION_ONLY',
    `group points cannot be used to ${command.use}; they can only be donated`,
    { use: command.use },
  );
}
