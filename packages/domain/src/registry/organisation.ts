/** The `organisation-<id>` stream: organisations that organise service and confirm hours. */
import { isAdministrator } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';

export interface OrganisationState {
  readonly registered: boolean;
  readonly name: string | null;
  readonly community: string | null;
  readonly registeredBy: string | null;
  readonly idempotencyKey: string | null;
}

export const initialOrganisationState: OrganisationState = Object.freeze({
  registered: false,
  name: null,
  community: null,
  registeredBy: null,
  idempotencyKey: null,
});

export function evolveOrganisation(state: OrganisationState, event: DomainEvent): OrganisationState {
  if (event.type !== 'OrganisationRegistered') return state;
  const { name, community, actor, idempotencyKey } = event.data;
  return { registered: true, name, community, registeredBy: actor.id, idempotencyKey };
}

export function decideOrganisation(
  command: CommandOf<'RegisterOrganisation'>,
  state: OrganisationState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (state.idempotencyKey === command.idempotencyKey) return [];
  if (!isAdministrator(command.actor))
    return reject('ACTOR_NOT_PERMITTED', 'only an administrator registers organisations');
  if (state.registered)
    return reject('ORGANISATION_ALREADY_REGISTERED', `organisation ${command.organisationId} exists`);
  const { idempotencyKey, organisationId, name, community, actor } = command;
  return [
    {
      type: 'OrganisationRegistered',
      data: { idempotencyKey, organisationId, name, community, registeredAt: context.now, actor },
    },
  ];
}
