/**
 * Who may do what, as far as the domain can tell from the actor named in a command. The HTTP
 * layer authenticates; these checks keep the rules true even for a misconfigured caller.
 */
import type { Actor } from './events/common.js';

export const isAdministrator = (actor: Actor): boolean => actor.role === 'administrator';
export const isSystem = (actor: Actor): boolean => actor.role === 'system';

/** "Whoever organises records; whoever records certifies": the organising organisation or an administrator. */
export function actsForOrganisation(actor: Actor, organisationId: string): boolean {
  if (isAdministrator(actor)) return true;
  return (
    (actor.role === 'organiser' || actor.role === 'registration_desk') &&
    actor.organisationId === organisationId
  );
}

/** A partner acting for itself, or the system on its behalf (e.g. a settlement job). */
export function actsForPartner(actor: Actor, partnerId: string): boolean {
  return (
    isAdministrator(actor) || isSystem(actor) || (actor.role === 'partner' && actor.partnerId === partnerId)
  );
}

/** The volunteer in person, a registration desk on their behalf, or an administrator. */
export function actsForVolunteer(actor: Actor, volunteerId: string): boolean {
  if (isAdministrator(actor) || actor.role === 'registration_desk') return true;
  return actor.role === 'volunteer' && actor.id === volunteerId;
}

/** The registration desk of the volunteer's community (a desk acts for its community), or an administrator. */
export function actsForCommunity(actor: Actor, community: string): boolean {
  if (isAdministrator(actor)) return true;
  return actor.role === 'registration_desk' && actor.organisationId === community;
}
