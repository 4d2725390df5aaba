import { type Actor, type PartnerState, type VolunteerState } from '@timebank/domain';
import type { Ledger, StreamReader } from '@timebank/application';
import type { ScopeRule } from './access.js';
import type { Principal, Scope } from './principal.js';
/**
 * The domain actor of an API key. A desk acts for its community as an organisation (the service
 * a desk records is organised by its community), so its `organisationId` is the community id.
 */
export declare function domainActorOf(principal: Principal): Actor;
/**
 * Whether the organisation or partner a scope names is registered and not suspended; null for
 * scopes that name no registered body (a community, or all). Communities are not registered
 * entities in this ledger: a desk's community id is simply the id the desk serves.
 */
export declare function scopeStatus(ledger: Ledger, scope: Scope): Promise<'unregistered' | 'active' | 'suspended' | null>;
/** Refuses to bind a key to an organisation or partner that was never registered: 404 with the domain's code. */
export declare function assertScopeRegistered(ledger: Ledger, scope: Scope): Promise<void>;
/**
 * The per-request check that a key's organisation or partner is still active: a key bound to a
 * suspended one (or, for keys issued before issuance checked, one never registered) stops
 * working. The fold is cached by the ledger: on SQLite, whose change log vouches for
 * it, this costs no read while nothing changed; on PostgreSQL, one read of the stream's tail.
 */
export declare function activeScopeCheck(ledger: Ledger): (principal: Principal) => Promise<void>;
/**
 * Runs `read` on a volunteer's current state. The state is shared with the ledger's cache, so
 * `read` must be synchronous and must not keep references into it. `reader` lets a request read
 * several streams on one freshness check (`ledger.checkedReader()`).
 */
export declare function readVolunteer<T>(ledger: Ledger, volunteerId: string, read: (state: VolunteerState, revision: bigint) => T, reader?: StreamReader): Promise<T>;
export declare function readPartner<T>(ledger: Ledger, partnerId: string, read: (state: PartnerState) => T): Promise<T>;
/**
 * Desks act on volunteers of their community; organisers on volunteers when the body names their
 * organisation; unscoped roles on any. An unknown volunteer is 404 for a scoped desk (there is
 * no community to compare).
 */
export declare function volunteerScope(ledger: Ledger, options?: {
    organiserField?: string;
}): ScopeRule;
/** Organisers act on service records of their organisation; the record is found in the volunteer's stream. */
export declare function serviceRecordScope(ledger: Ledger): ScopeRule;
