/**
 * Events of a `project-<projectId>` stream: a social-work project (社工项目) an organisation runs,
 * led by a social worker; the project's volunteer teams ("社会工作者+志愿者") and their members;
 * and each team's group points. Group points are earned by a confirmed group activity under the
 * points policy and can only be donated (DOMAIN.md, "Group-earned points can only be donated"),
 * so the team's `group:` account has exactly one outflow: `GroupPointsDonated`.
 */
import { z } from 'zod';
import {
  actorSchema,
  eventBase,
  idSchema,
  instantSchema,
  movementFields,
  personal,
  qualityGradeSchema,
  shortTextSchema,
} from './common.js';

export const projectRegisteredData = z.object({
  ...eventBase,
  projectId: idSchema,
  organisationId: idSchema,
  name: shortTextSchema,
  /** The leading social worker's own id: their name and contact are sealed under `social-worker:<leaderId>`. */
  leaderId: idSchema,
  leaderName: personal(shortTextSchema),
  leaderContact: personal(shortTextSchema),
  registeredAt: instantSchema,
  actor: actorSchema,
});

export const teamRegisteredData = z.object({
  ...eventBase,
  projectId: idSchema,
  teamId: idSchema,
  name: shortTextSchema,
  registeredAt: instantSchema,
  actor: actorSchema,
});

/** Named `memberVolunteerId`, not `volunteerId`: the event lives on the project's stream, not the volunteer's. */
export const teamMemberJoinedData = z.object({
  ...eventBase,
  projectId: idSchema,
  teamId: idSchema,
  memberVolunteerId: idSchema,
  joinedAt: instantSchema,
  actor: actorSchema,
});

/**
 * A team's group activity, confirmed by its organisation: the team earns group points,
 * hours × rate × quality multiplier under the policy in force at the start, moved from
 * `issuance` to the team's `group:<projectId>:<teamId>` account.
 */
export const groupActivityConfirmedData = z.object({
  ...eventBase,
  ...movementFields,
  projectId: idSchema,
  teamId: idSchema,
  activityId: idSchema,
  activity: shortTextSchema,
  startAt: instantSchema,
  endAt: instantSchema,
  durationMinutes: z.number().int().positive(),
  /** The policy version in force at the start; 0 is the configured initial policy. */
  policyVersion: z.number().int().nonnegative(),
  ratePerHourCentipoints: z.number().int().nonnegative(),
  qualityGrade: qualityGradeSchema,
  qualityMultiplierPercent: z.number().int().nonnegative(),
  /** The administrator's reason for a start older than the back-dating window (none within it). */
  backdatingReason: z.string().min(1).max(500).optional(),
  confirmedAt: instantSchema,
  actor: actorSchema,
});

/** The only way group points leave a team: to `in-transit`, credited to the donation pool by a reaction. */
export const groupPointsDonatedData = z.object({
  ...eventBase,
  ...movementFields,
  projectId: idSchema,
  teamId: idSchema,
  donationId: idSchema,
  donatedAt: instantSchema,
  actor: actorSchema,
});

export const PROJECT_EVENT_DATA = {
  ProjectRegistered: projectRegisteredData,
  TeamRegistered: teamRegisteredData,
  TeamMemberJoined: teamMemberJoinedData,
  GroupActivityConfirmed: groupActivityConfirmedData,
  GroupPointsDonated: groupPointsDonatedData,
} as const;

/** On the donation-pool stream: the credit side of a `GroupPointsDonated`. */
export const groupDonationReceivedData = z.object({
  ...eventBase,
  ...movementFields,
  donationId: idSchema,
  fromProjectId: idSchema,
  fromTeamId: idSchema,
  receivedAt: instantSchema,
});
