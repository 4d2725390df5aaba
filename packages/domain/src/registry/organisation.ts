/**
 * The `organisation-<id>` stream: organisations that organise service and confirm hours, and
 * their suspension. A suspended organisation's organiser keys stop working at the API; an
 * administrator can still act on its records (corrections never stop).
 */
import { isAdministrator } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';

export interface OrganisationState {
  readonly status: 'unregistered' | 'active' | 'suspended';
  /** True once registered, whatever the status since: kept for readers of the registration. */
  readonly registered: boolean;
  readonly name: string | null;
  readonly community: string | null;
  readonly registeredBy: string | null;
  /** Every idempotency key this stream has decided: a repeated command decides nothing new. */
  readonly processedKeys: ReadonlySet<string>;
}

export const initialOrganisationState: OrganisationState = Object.freeze({
  status: 'unregistered',
  registered: false,
  name: null,
  community: null,
  registeredBy: null,
  processedKeys: new Set<string>(),
});

export type OrganisationCommand = CommandOf<
  'RegisterOrganisation' | 'SuspendOrganisation' | 'ReinstateOrganisation'
>;

export function evolveOrganisation(state: OrganisationState, event: DomainEvent): OrganisationState {
  switch (event.type) {
    case 'OrganisationRegistered': {
      const { name, community, actor, idempotencyKey } = event.data;
      return {
        status: 'active',
        registered: true,
        name,
        community,
        registeredBy: actor.id,
        processedKeys: new Set(state.processedKeys).add(idempotencyKey),
      };
    }
    case 'OrganisationSuspended':
      return {
        ...state,
        status: 'suspended',
        processedKeys: new Set(state.processedKeys).add(event.data.idempotencyKey),
      };
    case 'OrganisationReinstated':
      return {
        ...state,
        status: 'active',
        processedKeys: new Set(state.processedKeys).add(event.data.idempotencyKey),
      };
    default:
      return state;
  }
}

export function decideOrganisation(
  command: OrganisationCommand,
  state: OrganisationState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (state.processedKeys.has(command.idempotencyKey)) return [];
  const { idempotencyKey, organisationId, actor } = command;
  const at = context.now;
  if (!isAdministrator(actor))
    return reject(
      'ACTOR_NOT_PERMITTED',
      'only an administrator registers, suspends or reinstates organisations',
    );
  if (command.type === 'RegisterOrganisation') {
    if (state.status !== 'unregistered')
      return reject('ORGANISATION_ALREADY_REGISTERED', `organisation ${organisationId} exists`);
    const { name, community } = command;
    return [
      {
        type: 'OrganisationRegistered',
        data: { idempotencyKey, organisationId, name, community, registeredAt: at, actor },
      },
    ];
  }
  if (state.status === 'unregistered')
    return reject('ORGANISATION_NOT_FOUND', `no organisation ${organisationId}`);
  if (command.type === 'SuspendOrganisation') {
    if (state.status === 'suspended')
      return reject('ORGANISATION_SUSPENDED', `organisation ${organisationId} is already suspended`);
    return [
      {
        type: 'OrganisationSuspended',
        data: { idempotencyKey, organisationId, reason: command.reason, suspendedAt: at, actor },
      },
    ];
  }
  if (state.status !== 'suspended')
    return reject('ORGANISATION_NOT_SUSPENDED', `organisation ${organisationId} is not suspended`);
  return [
    { type: 'OrganisationReinstated', data: { idempotencyKey, organisationId, reinstatedAt: at, actor } },
  ];
}
