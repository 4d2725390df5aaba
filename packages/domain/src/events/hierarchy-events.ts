/**
 * Events of the `city-hierarchy` stream: the city's districts (区/县), streets (街道/乡镇) and
 * communities (社区/村) as registered units, each community's coordinator (专人负责), and a
 * community's move to another street. One stream holds the whole tree, so that ids are unique
 * across it and a move is checked against the tree as it stands.
 */
import { z } from 'zod';
import { actorSchema, eventBase, idSchema, instantSchema, personal, shortTextSchema } from './common.js';
import { erasureReasonSchema } from './volunteer-events.js';

/** The levels above a community, top down. */
export const AREA_LEVELS = ['city', 'district', 'street'] as const;
export type AreaLevel = (typeof AREA_LEVELS)[number];
export const areaLevelSchema = z.enum(AREA_LEVELS);

export const areaRegisteredData = z.object({
  ...eventBase,
  level: areaLevelSchema,
  areaId: idSchema,
  /** The unit one level up: null for the city, a city for a district, a district for a street. */
  parentId: idSchema.nullable(),
  name: shortTextSchema,
  registeredAt: instantSchema,
  actor: actorSchema,
});

export const communityRegisteredData = z.object({
  ...eventBase,
  communityId: idSchema,
  streetId: idSchema,
  name: shortTextSchema,
  /** The coordinator's own id: their personal fields are sealed under this data subject's key. */
  coordinatorId: idSchema,
  coordinatorName: personal(shortTextSchema),
  coordinatorContact: personal(shortTextSchema),
  registeredAt: instantSchema,
  actor: actorSchema,
});

export const communityMovedData = z.object({
  ...eventBase,
  communityId: idSchema,
  fromStreetId: idSchema,
  toStreetId: idSchema,
  /** From this instant the community counts under `toStreetId`; statistics before it use the old street. */
  movedAt: instantSchema,
  actor: actorSchema,
});

/**
 * A coordinator's data key (`coordinator:<coordinatorId>`) is destroyed right after this event:
 * their name and contact read as `[erased]` everywhere, certificates included. No personal data.
 */
export const coordinatorDataErasedData = z.object({
  ...eventBase,
  coordinatorId: idSchema,
  reason: erasureReasonSchema,
  erasedAt: instantSchema,
  actor: actorSchema,
});

export const HIERARCHY_EVENT_DATA = {
  AreaRegistered: areaRegisteredData,
  CommunityRegistered: communityRegisteredData,
  CommunityMoved: communityMovedData,
  CoordinatorDataErased: coordinatorDataErasedData,
} as const;
