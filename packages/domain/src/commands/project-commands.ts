/** Commands on a social-work project's stream: the project, its teams and their group points. */
import { z } from 'zod';
import {
  idSchema,
  positiveCentipointsSchema,
  qualityGradeSchema,
  wholeMinuteInstantSchema,
} from '../events/common.js';
import { nameFieldSchema, textFieldSchema } from '../text.js';
import { backdatingReasonSchema, commandBase } from './volunteer-commands.js';

/**
 * Project and team ids: at most 40 characters, so that the donation pool's credit of a team's
 * donation can be named `<projectId>:<teamId>:<donationId>` within the 100 characters of an id.
 */
const projectIdSchema = idSchema.max(40);
const teamIdSchema = idSchema.max(40);
/** 18 characters: what is left of 100 after two 40-character ids and two colons. */
const groupDonationIdSchema = idSchema.max(18);

export const registerProjectSchema = z.strictObject({
  type: z.literal('RegisterProject'),
  ...commandBase,
  projectId: projectIdSchema,
  organisationId: idSchema,
  name: nameFieldSchema,
  leaderId: idSchema,
  leaderName: nameFieldSchema,
  leaderContact: textFieldSchema,
});

export const registerTeamSchema = z.strictObject({
  type: z.literal('RegisterTeam'),
  ...commandBase,
  projectId: projectIdSchema,
  teamId: teamIdSchema,
  name: nameFieldSchema,
});

export const joinTeamSchema = z.strictObject({
  type: z.literal('JoinTeam'),
  ...commandBase,
  projectId: projectIdSchema,
  teamId: teamIdSchema,
  memberVolunteerId: idSchema,
});

export const confirmGroupActivitySchema = z.strictObject({
  type: z.literal('ConfirmGroupActivity'),
  ...commandBase,
  projectId: projectIdSchema,
  teamId: teamIdSchema,
  activityId: idSchema,
  activity: textFieldSchema,
  startAt: wholeMinuteInstantSchema,
  endAt: wholeMinuteInstantSchema,
  qualityGrade: qualityGradeSchema.default('standard'),
  /** An administrator's reason, required when the start is older than the back-dating window. */
  backdatingReason: backdatingReasonSchema.optional(),
});

export const donateGroupPointsSchema = z.strictObject({
  type: z.literal('DonateGroupPoints'),
  ...commandBase,
  projectId: projectIdSchema,
  teamId: teamIdSchema,
  donationId: groupDonationIdSchema,
  centipoints: positiveCentipointsSchema,
});

/** What someone may try to do with group points other than donate them; every one is refused. */
export const GROUP_POINTS_FORBIDDEN_USES = ['hold', 'redeem', 'transfer'] as const;

/**
 * An attempt to spend group points other than by donation. It exists so that the refusal is a
 * decision of the domain with its own code (GROUP_POINTS_DONATION_ONLY), not a missing route.
 */
export const useGroupPointsSchema = z.strictObject({
  type: z.literal('UseGroupPoints'),
  ...commandBase,
  projectId: projectIdSchema,
  teamId: teamIdSchema,
  use: z.enum(GROUP_POINTS_FORBIDDEN_USES),
  centipoints: positiveCentipointsSchema,
});

/** The donation pool's credit side of a team's donation: the system's reaction only. */
export const receiveGroupDonationSchema = z.strictObject({
  type: z.literal('ReceiveGroupDonation'),
  ...commandBase,
  donationId: idSchema,
  fromProjectId: idSchema,
  fromTeamId: idSchema,
  centipoints: positiveCentipointsSchema,
});

export const PROJECT_COMMAND_SCHEMAS = [
  registerProjectSchema,
  registerTeamSchema,
  joinTeamSchema,
  confirmGroupActivitySchema,
  donateGroupPointsSchema,
  useGroupPointsSchema,
  receiveGroupDonationSchema,
] as const;
