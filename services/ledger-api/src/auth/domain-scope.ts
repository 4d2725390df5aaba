/**
 * Where principals meet the domain: the actor an API key decides as, and the scope rules that
 * need to load a stream to know where its target lives (a volunteer's community, a service
 * record's organisation).
 */
import type { FastifyRequest } from 'fastify';
import { ID_PATTERN, type Actor, type PartnerState, type VolunteerState } from '@timebank/domain';
import type { CheckedStreamReader, Ledger, StreamReader } from '@timebank/application';
import { DOMAIN_ERROR_STATUS } from '../http/domain-errors.js';
import { ProblemError } from '../http/problem.js';
import { requestReader, requestReaderNow } from './request-reader.js';
import type { ScopeRule } from './access.js';
import type { ApiKeyScope, Principal, Scope } from './principal.js';

/**
 * The domain actor of an API key. A desk acts for its community as an organisation (the service
 * a desk records is organised by its community), so its `organisationId` is the community id.
 */
export function domainActorOf(principal: Principal): Actor {
  const id = principal.keyId;
  switch (principal.role) {
    case 'desk':
      return { id, role: 'registration_desk', organisationId: scopeId(principal.scope) };
    case 'organiser':
      return { id, role: 'organiser', organisationId: scopeId(principal.scope) };
    case 'partner':
      return { id, role: 'partner', partnerId: scopeId(principal.scope) };
    case 'admin':
      return { id, role: 'administrator' };
    case 'volunteer':
      // The domain knows a volunteer acting in person by their volunteer id (`actsForVolunteer`).
      return { id: scopeId(principal.scope), role: 'volunteer' };
    case 'auditor':
    case 'coordinator':
      throw new Error(`${principal.role}s never write; a route let one through`);
  }
}

function scopeId(scope: Scope): string {
  if (scope.kind === 'all') throw new Error('a scoped role has an unscoped key');
  return scope.id;
}

type ScopeStatus = 'unregistered' | 'active' | 'suspended';

/**
 * Whether the organisation or partner a scope names is registered and not suspended; null for
 * scopes that name no registered body (a community, or all). Communities are not registered
 * entities in this ledger: a desk's community id is simply the id the desk serves.
 */
export async function scopeStatus(reader: StreamReader, scope: Scope): Promise<ScopeStatus | null> {
  if (scope.kind === 'volunteer') {
    // A deactivated or erased volunteer's sessions stop working, as a suspended partner's keys do.
    const { state } = await reader.load('volunteer', scope.id);
    return volunteerScopeStatus(state);
  }
  if (scope.kind === 'organisation') {
    const { state } = await reader.load('organisation', scope.id);
    return state.status;
  }
  if (scope.kind === 'partner') {
    const { state } = await reader.load('partner', scope.id);
    return state.status;
  }
  return null;
}

function volunteerScopeStatus(state: VolunteerState): ScopeStatus {
  return state.status === 'active' && !state.personalDataErased ? 'active' : 'suspended';
}

/** `scopeStatus` of a registered body's scope without waiting, or undefined when its stream must be loaded. */
function scopeStatusNow(
  reader: CheckedStreamReader,
  scope: Extract<Scope, { kind: 'volunteer' | 'organisation' | 'partner' }>,
): ScopeStatus | undefined {
  if (scope.kind === 'volunteer') {
    const state = reader.current('volunteer', scope.id)?.state;
    return state === undefined ? undefined : volunteerScopeStatus(state);
  }
  if (scope.kind === 'organisation') return reader.current('organisation', scope.id)?.state.status;
  return reader.current('partner', scope.id)?.state.status;
}

/**
 * Refuses to bind a key to a unit of the hierarchy that is not registered: a coordinator's area
 * must be a registered city, district or street; a desk's community must be a registered
 * community once the hierarchy has any (before that, communities are free ids, as they were).
 * Keys issued earlier keep working: this checks issuance only.
 */
async function assertUnitRegistered(ledger: Ledger, scope: ApiKeyScope): Promise<void> {
  if (scope.kind !== 'community' && scope.kind !== 'area') return;
  const { state } = await ledger.load('hierarchy');
  const unit = state.units.get(scope.id);
  if (scope.kind === 'area') {
    if (unit !== undefined && unit.level !== 'community') return;
    throw new ProblemError(
      DOMAIN_ERROR_STATUS.AREA_NOT_FOUND,
      'AREA_NOT_FOUND',
      `no city, district or street ${scope.id}`,
    );
  }
  const hierarchyHasCommunities = [...state.units.values()].some(
    (candidate) => candidate.level === 'community',
  );
  if (!hierarchyHasCommunities || unit?.level === 'community') return;
  throw new ProblemError(
    DOMAIN_ERROR_STATUS.COMMUNITY_NOT_REGISTERED,
    'COMMUNITY_NOT_REGISTERED',
    `no community ${scope.id}; register it first`,
  );
}

/**
 * Refuses to register a volunteer in a community the hierarchy does not hold, once it holds any
 * (404 COMMUNITY_NOT_REGISTERED): such a volunteer would count in no statistics and no desk key
 * could be issued to serve them. A desk names its own community (its scope rule checked that), so
 * a desk key issued before the hierarchy keeps working as the migration rule promises; an
 * administrator, who may name any community, is the one this stops from mistyping one.
 */
export async function assertCommunityAcceptsVolunteers(
  ledger: Ledger,
  principal: Principal,
  community: string,
): Promise<void> {
  if (principal.scope.kind === 'community' && principal.scope.id === community) return;
  await assertCommunityRegistered(ledger, community);
}

/**
 * Refuses an administrator's registration of an organisation, a partner or a donation-pool
 * beneficiary in a community the hierarchy does not hold, once it holds any (404
 * COMMUNITY_NOT_REGISTERED, nothing written): like a volunteer's, such a registration would
 * count in no community's statistics, and a mistyped id would go unnoticed. Registrations made
 * before the hierarchy keep working; this checks new ones only.
 */
export async function assertCommunityRegistered(ledger: Ledger, community: string): Promise<void> {
  await assertUnitRegistered(ledger, { kind: 'community', id: community });
}

/** Refuses to bind a key to an organisation, partner or hierarchy unit that was never registered: 404 with the domain's code. */
export async function assertScopeRegistered(ledger: Ledger, scope: ApiKeyScope): Promise<void> {
  await assertUnitRegistered(ledger, scope);
  if ((await scopeStatus(ledger, scope)) !== 'unregistered') return;
  const code = scope.kind === 'organisation' ? 'ORGANISATION_NOT_FOUND' : 'PARTNER_NOT_FOUND';
  const id = scope.kind === 'all' ? '' : scope.id;
  throw new ProblemError(DOMAIN_ERROR_STATUS[code], code, `no ${scope.kind} ${id}; register it first`);
}

/**
 * The per-request check that a key's organisation or partner is still active: a key bound to a
 * suspended one (or, for keys issued before issuance checked, one never registered) stops
 * working. The fold is cached by the ledger: on SQLite, whose change log vouches for
 * it, this costs no read while nothing changed; on PostgreSQL, one read of the stream's tail.
 */
export function activeScopeCheck(
  ledger: Ledger,
): (principal: Principal, request: FastifyRequest) => Promise<void> | undefined {
  type Registered = Extract<Scope, { kind: 'volunteer' | 'organisation' | 'partner' }>;
  const assertActive = (scope: Registered, status: ScopeStatus | null): void => {
    if (status === null || status === 'active') return;
    if (scope.kind === 'volunteer')
      throw ProblemError.http('API_KEY_SCOPE_INACTIVE', `volunteer ${scope.id} is not active`);
    const state = status === 'suspended' ? 'is suspended' : 'is not registered';
    throw ProblemError.http('API_KEY_SCOPE_INACTIVE', `this API key's ${scope.kind} ${scope.id} ${state}`);
  };
  // A cached stream the check vouches for is read without a further promise (issue #15).
  const check = (scope: Registered, reader: CheckedStreamReader): Promise<void> | undefined => {
    const status = scopeStatusNow(reader, scope);
    if (status !== undefined) {
      assertActive(scope, status);
      return undefined;
    }
    return scopeStatus(reader, scope).then((loaded) => assertActive(scope, loaded));
  };
  return (principal, request) => {
    const { scope } = principal;
    // Scopes that name no registered body need no read (and no freshness check, and no promise).
    if (scope.kind !== 'volunteer' && scope.kind !== 'organisation' && scope.kind !== 'partner')
      return undefined;
    const now = requestReaderNow(ledger, request);
    if (now !== undefined) return check(scope, now);
    return requestReader(ledger, request).then((reader) => check(scope, reader));
  };
}

/**
 * Runs `read` on a volunteer's current state. The state is shared with the ledger's cache, so
 * `read` must be synchronous and must not keep references into it. `reader` lets a request read
 * several streams on one freshness check (`ledger.checkedReader()`).
 */
export async function readVolunteer<T>(
  ledger: Ledger,
  volunteerId: string,
  read: (state: VolunteerState, revision: bigint) => T,
  reader: StreamReader = ledger,
): Promise<T> {
  const { state, revision } = await reader.load('volunteer', volunteerId);
  return read(state, revision);
}

export async function readPartner<T>(
  ledger: Ledger,
  partnerId: string,
  read: (state: PartnerState) => T,
): Promise<T> {
  const { state } = await ledger.load('partner', partnerId);
  return read(state);
}

function volunteerIdParam(request: FastifyRequest): string {
  const id = (request.params as { volunteerId?: unknown }).volunteerId;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new Error('route has no valid :volunteerId');
  return id;
}

/**
 * Desks act on volunteers of their community; organisers on volunteers when the body names their
 * organisation; a signed-in volunteer (on routes that name the role, `volunteer: true`) on
 * themselves only; unscoped roles on any. An unknown
 * volunteer is 404 for a scoped desk (there is no community to compare).
 */
export function volunteerScope(
  ledger: Ledger,
  options: { organiserField?: string; volunteer?: boolean } = {},
): ScopeRule {
  const organiser = options.organiserField;
  const desk =
    organiser === undefined
      ? "desk: the volunteer's community"
      : `desk: the volunteer's community; organiser: the organisation named by body.${organiser}`;
  return {
    // Routes that let a signed-in volunteer in say so: the rule confines them to their own record.
    describe: options.volunteer === true ? `${desk}; volunteer: themselves` : desk,
    async resolve(request) {
      const principal = request.principal;
      if (principal === null || principal.scope.kind === 'all') return 'any';
      if (principal.role === 'volunteer') return { kind: 'volunteer', id: volunteerIdParam(request) };
      if (principal.role === 'organiser' && organiser !== undefined) {
        const id = (request.body as Record<string, unknown>)[organiser];
        if (typeof id !== 'string') throw new Error(`route declares body.${organiser} but the body has none`);
        return { kind: 'organisation', id };
      }
      const volunteerId = volunteerIdParam(request);
      // A volunteer's community is set once, at registration, so any cached state that has one is
      // current for this purpose; only a volunteer not (yet) known registered needs a load.
      const cached = ledger.peek('volunteer', volunteerId);
      const community =
        cached?.community ?? (await readVolunteer(ledger, volunteerId, (state) => state.community));
      if (community === null)
        throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', `no volunteer ${volunteerId}`);
      return { kind: 'community', id: community };
    },
  };
}

/** Organisers act on service records of their organisation; the record is found in the volunteer's stream. */
export function serviceRecordScope(ledger: Ledger): ScopeRule {
  return {
    describe: "organiser: the record's organising organisation",
    async resolve(request) {
      const principal = request.principal;
      if (principal === null || principal.scope.kind === 'all') return 'any';
      const volunteerId = volunteerIdParam(request);
      const recordId = (request.params as { recordId?: string }).recordId ?? '';
      const organisationId = await readVolunteer(
        ledger,
        volunteerId,
        (state) => state.records.get(recordId)?.organisationId ?? null,
      );
      if (organisationId === null) {
        throw new ProblemError(
          404,
          'SERVICE_RECORD_NOT_FOUND',
          `no service record ${recordId} of volunteer ${volunteerId}`,
        );
      }
      return { kind: 'organisation', id: organisationId };
    },
  };
}

/** Organisers act on disputes of their organisation; the dispute is found in the volunteer's stream. */
export function disputeScope(ledger: Ledger): ScopeRule {
  return {
    describe: "organiser: the dispute's organising organisation",
    async resolve(request) {
      const principal = request.principal;
      if (principal === null || principal.scope.kind === 'all') return 'any';
      const volunteerId = volunteerIdParam(request);
      const disputeId = (request.params as { disputeId?: string }).disputeId ?? '';
      const organisationId = await readVolunteer(
        ledger,
        volunteerId,
        (state) => state.disputes.get(disputeId)?.organisationId ?? null,
      );
      if (organisationId === null)
        throw new ProblemError(
          404,
          'DISPUTE_NOT_FOUND',
          `no dispute ${disputeId} of volunteer ${volunteerId}`,
        );
      return { kind: 'organisation', id: organisationId };
    },
  };
}
