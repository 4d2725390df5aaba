/** Commands of administrators on the city's administrative hierarchy. */
import { z } from 'zod';
import { areaLevelSchema } from '../events/hierarchy-events.js';
import { idSchema } from '../events/common.js';
import { erasureReasonSchema } from '../events/volunteer-events.js';
import { nameFieldSchema, textFieldSchema } from '../text.js';
import { commandBase } from './volunteer-commands.js';

export const registerAreaSchema = z.strictObject({
  type: z.literal('RegisterArea'),
  ...commandBase,
  level: areaLevelSchema,
  areaId: idSchema,
  parentId: idSchema.nullable().default(null),
  name: nameFieldSchema,
});

export const registerCommunitySchema = z.strictObject({
  type: z.literal('RegisterCommunity'),
  ...commandBase,
  communityId: idSchema,
  streetId: idSchema,
  name: nameFieldSchema,
  coordinatorId: idSchema,
  coordinatorName: nameFieldSchema,
  coordinatorContact: textFieldSchema,
});

export const moveCommunitySchema = z.strictObject({
  type: z.literal('MoveCommunity'),
  ...commandBase,
  communityId: idSchema,
  toStreetId: idSchema,
});

/** Erases a community coordinator's personal data: their data key is destroyed once the event is stored. */
export const eraseCoordinatorDataSchema = z.strictObject({
  type: z.literal('EraseCoordinatorData'),
  ...commandBase,
  coordinatorId: idSchema,
  reason: erasureReasonSchema,
});

export const HIERARCHY_COMMAND_SCHEMAS = [
  registerAreaSchema,
  registerCommunitySchema,
  moveCommunitySchema,
  eraseCoordinatorDataSchema,
] as const;
