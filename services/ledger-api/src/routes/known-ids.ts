/**
 * Whether the organisation or community a read-model route names is one the ledger knows. An
 * unknown id is 404 with the domain's code, not an empty list or zero statistics: those look
 * exactly like a known one with nothing in it, so a mistyped id went unnoticed. A known one with
 * nothing in it still answers 200 and empty.
 *
 * Known is decided as elsewhere: an organisation by its stream (registered, suspended or not, as
 * a dispute's `organisesService` and key issuance do); a community by the hierarchy once it holds
 * it (as key issuance's "register it first" does). Ids the ledger used before those registrations
 * existed stay known by what was recorded under them: a desk organises service as its community,
 * and communities were free ids before the hierarchy.
 */
import type { Ledger } from '@timebank/application';
import type { Principal } from '../auth/principal.js';
import { DOMAIN_ERROR_STATUS } from '../http/domain-errors.js';
import { ProblemError } from '../http/problem.js';

async function isHierarchyCommunity(ledger: Ledger, id: string): Promise<boolean> {
  const { state } = await ledger.load('hierarchy');
  return state.units.get(id)?.level === 'community';
}

/**
 * Refuses (404 ORGANISATION_NOT_FOUND) an organising body the ledger does not know: not a
 * registered organisation, not a community of the hierarchy, and with no service records in the
 * read models (`hasRecords`, asked last). An organiser's own organisation passed its key's checks.
 */
export async function assertOrganisesService(
  ledger: Ledger,
  principal: Principal | null,
  organisationId: string,
  hasRecords: () => Promise<boolean>,
): Promise<void> {
  if (principal?.scope.kind === 'organisation') return;
  const { state } = await ledger.load('organisation', organisationId);
  if (state.status !== 'unregistered') return;
  if (await isHierarchyCommunity(ledger, organisationId)) return;
  if (await hasRecords()) return;
  throw new ProblemError(
    DOMAIN_ERROR_STATUS.ORGANISATION_NOT_FOUND,
    'ORGANISATION_NOT_FOUND',
    `no organisation or community ${organisationId}`,
  );
}

/**
 * Refuses (404 COMMUNITY_NOT_REGISTERED) a community the ledger does not know: not in the
 * hierarchy and with no volunteer registered in it (`registeredVolunteers`). A desk's own
 * community passed its scope rule, and its key was issued for it.
 */
export async function assertCommunityKnown(
  ledger: Ledger,
  principal: Principal | null,
  community: string,
  registeredVolunteers: number,
): Promise<void> {
  if (principal?.scope.kind === 'community') return;
  if (registeredVolunteers > 0) return;
  if (await isHierarchyCommunity(ledger, community)) return;
  throw new ProblemError(
    DOMAIN_ERROR_STATUS.COMMUNITY_NOT_REGISTERED,
    'COMMUNITY_NOT_REGISTERED',
    `no community ${community}`,
  );
}
