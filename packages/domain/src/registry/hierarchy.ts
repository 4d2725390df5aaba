/**
 * The `city-hierarchy` stream: city → district → street → community. Every unit's id is unique
 * across the whole tree; a unit's parent must be registered at the level directly above it; a
 * community moves from street to street and keeps its id, so its history moves with it.
 */
import { isAdministrator } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { AreaLevel } from '../events/hierarchy-events.js';
import type { DomainEvent } from '../events/index.js';
import { ERASED_TEXT } from '../events/common.js';

export type UnitLevel = AreaLevel | 'community';

export interface HierarchyUnit {
  readonly level: UnitLevel;
  readonly id: string;
  readonly parentId: string | null;
  readonly name: string;
  /** A community's coordinator (专人负责); absent for areas. */
  readonly coordinatorId?: string;
}

/** A community coordinator as the stream knows them: name and contact opened, or `[erased]`. */
export interface CoordinatorState {
  readonly coordinatorId: string;
  readonly name: string;
  readonly contact: string;
  readonly erased: boolean;
}

export interface HierarchyState {
  /** Every registered unit by id, as the tree stands now. */
  readonly units: ReadonlyMap<string, HierarchyUnit>;
  readonly coordinators: ReadonlyMap<string, CoordinatorState>;
  readonly processedKeys: ReadonlySet<string>;
}

export const initialHierarchyState: HierarchyState = Object.freeze({
  units: new Map<string, HierarchyUnit>(),
  coordinators: new Map<string, CoordinatorState>(),
  processedKeys: new Set<string>(),
});

export type HierarchyCommand = CommandOf<
  'RegisterArea' | 'RegisterCommunity' | 'MoveCommunity' | 'EraseCoordinatorData'
>;

/** The level a unit's parent has: none above the city. */
export const PARENT_LEVEL: Readonly<Record<UnitLevel, AreaLevel | null>> = Object.freeze({
  city: null,
  district: 'city',
  street: 'district',
  community: 'street',
});

export function evolveHierarchy(state: HierarchyState, event: DomainEvent): HierarchyState {
  const units = new Map(state.units);
  let coordinators = state.coordinators;
  const processedKeys = new Set(state.processedKeys);
  switch (event.type) {
    case 'AreaRegistered': {
      const { level, areaId, parentId, name } = event.data;
      units.set(areaId, { level, id: areaId, parentId, name });
      break;
    }
    case 'CommunityRegistered': {
      const { communityId, streetId, name, coordinatorId } = event.data;
      units.set(communityId, {
        level: 'community',
        id: communityId,
        parentId: streetId,
        name,
        coordinatorId,
      });
      const erased = state.coordinators.get(coordinatorId)?.erased === true;
      coordinators = new Map(coordinators).set(coordinatorId, {
        coordinatorId,
        name: erased ? ERASED_TEXT : event.data.coordinatorName,
        contact: erased ? ERASED_TEXT : event.data.coordinatorContact,
        erased,
      });
      break;
    }
    case 'CommunityMoved': {
      const unit = units.get(event.data.communityId);
      if (unit !== undefined) units.set(unit.id, { ...unit, parentId: event.data.toStreetId });
      break;
    }
    case 'CoordinatorDataErased': {
      // The key is destroyed after this event; a state cached before it must not keep the plain text.
      const { coordinatorId } = event.data;
      coordinators = new Map(coordinators).set(coordinatorId, {
        coordinatorId,
        name: ERASED_TEXT,
        contact: ERASED_TEXT,
        erased: true,
      });
      break;
    }
    default:
      return state;
  }
  processedKeys.add(event.data.idempotencyKey);
  return { units, coordinators, processedKeys };
}

function checkParent(state: HierarchyState, level: UnitLevel, parentId: string | null): DomainError | null {
  const expected = PARENT_LEVEL[level];
  if (expected === null) {
    return parentId === null ? null : reject('AREA_PARENT_INVALID', 'a city has no parent');
  }
  if (parentId === null) return reject('AREA_PARENT_INVALID', `a ${level} needs a ${expected} as its parent`);
  const parent = state.units.get(parentId);
  if (parent === undefined) return reject('AREA_NOT_FOUND', `no ${expected} ${parentId}`);
  if (parent.level !== expected)
    return reject('AREA_PARENT_INVALID', `${parentId} is a ${parent.level}, not a ${expected}`);
  return null;
}

function decideRegisterCommunity(
  command: CommandOf<'RegisterCommunity'>,
  state: HierarchyState,
  at: string,
): DomainEvent[] | DomainError {
  const { idempotencyKey, actor, communityId, streetId, name } = command;
  if (state.units.has(communityId)) return reject('AREA_ALREADY_REGISTERED', `unit ${communityId} exists`);
  const invalid = checkParent(state, 'community', streetId);
  if (invalid !== null) return invalid;
  const { coordinatorId, coordinatorName, coordinatorContact } = command;
  // An erased coordinator's key is gone for good: their data cannot be sealed again under it.
  const known = state.coordinators.get(coordinatorId);
  if (known?.erased === true)
    return reject('COORDINATOR_DATA_ERASED', `coordinator ${coordinatorId}'s personal data was erased`);
  // One id is one person: naming them again with other details would silently rename the person
  // in charge on every certificate of the communities they already serve.
  if (known !== undefined && (known.name !== coordinatorName || known.contact !== coordinatorContact))
    return reject(
      'COORDINATOR_DETAILS_MISMATCH',
      `coordinator ${coordinatorId} is registered with another name or contact; give them as registered, or use a new id`,
    );
  return [
    {
      type: 'CommunityRegistered',
      data: {
        idempotencyKey,
        communityId,
        streetId,
        name,
        coordinatorId,
        coordinatorName,
        coordinatorContact,
        registeredAt: at,
        actor,
      },
    },
  ];
}

export function decideHierarchy(
  command: HierarchyCommand,
  state: HierarchyState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (state.processedKeys.has(command.idempotencyKey)) return [];
  const { idempotencyKey, actor } = command;
  if (!isAdministrator(actor))
    return reject('ACTOR_NOT_PERMITTED', 'only an administrator changes the administrative hierarchy');
  const at = context.now;
  switch (command.type) {
    case 'RegisterArea': {
      const { level, areaId, parentId, name } = command;
      if (state.units.has(areaId)) return reject('AREA_ALREADY_REGISTERED', `unit ${areaId} exists`);
      const invalid = checkParent(state, level, parentId);
      if (invalid !== null) return invalid;
      return [
        {
          type: 'AreaRegistered',
          data: { idempotencyKey, level, areaId, parentId, name, registeredAt: at, actor },
        },
      ];
    }
    case 'RegisterCommunity':
      return decideRegisterCommunity(command, state, at);
    case 'EraseCoordinatorData': {
      const { coordinatorId, reason } = command;
      const coordinator = state.coordinators.get(coordinatorId);
      if (coordinator === undefined)
        return reject('COORDINATOR_NOT_FOUND', `no coordinator ${coordinatorId}`);
      if (coordinator.erased)
        return reject('COORDINATOR_DATA_ERASED', `coordinator ${coordinatorId}'s personal data was erased`);
      return [
        {
          type: 'CoordinatorDataErased',
          data: { idempotencyKey, coordinatorId, reason, erasedAt: at, actor },
        },
      ];
    }
    case 'MoveCommunity': {
      const { communityId, toStreetId } = command;
      const community = state.units.get(communityId);
      if (community?.level !== 'community')
        return reject('COMMUNITY_NOT_REGISTERED', `no community ${communityId}`);
      if (community.parentId === toStreetId)
        return reject('COMMUNITY_ALREADY_ON_STREET', `${communityId} is already on street ${toStreetId}`);
      const invalid = checkParent(state, 'community', toStreetId);
      if (invalid !== null) return invalid;
      return [
        {
          type: 'CommunityMoved',
          data: {
            idempotencyKey,
            communityId,
            fromStreetId: community.parentId ?? toStreetId,
            toStreetId,
            movedAt: at,
            actor,
          },
        },
      ];
    }
  }
}
