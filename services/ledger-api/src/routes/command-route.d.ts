import { z } from 'zod';
import type { Ledger, LedgerResult } from '@timebank/application';
import type { Actor, CommandInput, EventOf, EventType } from '@timebank/domain';
import type { RecordedEvent } from '@timebank/event-store';
import type { ScopeRule } from '../auth/access.js';
import type { Principal, Role } from '../auth/principal.js';
import { type WriteDependencies } from '../http/write.js';
import type { StoreReader } from './store-reader.js';
import type { TypedApp } from './typed-app.js';
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A command without what the HTTP layer adds: the idempotency key and the actor. */
export type CommandFields = DistributiveOmit<CommandInput, 'idempotencyKey' | 'actor'>;
export interface CommandRouteSpec<Params extends z.ZodType, Body extends z.ZodType, Response extends z.ZodObject> {
    readonly url: string;
    readonly tag: string;
    readonly summary: string;
    readonly roles: readonly Role[];
    readonly scope: ScopeRule;
    readonly params: Params;
    readonly body: Body;
    /** 201 when the write creates something addressable (a volunteer, a record, a hold). */
    readonly status: 200 | 201;
    /** The response without `position`, which is added for every write. */
    readonly response: Response;
    readonly command: (input: {
        params: z.output<Params>;
        body: z.output<Body>;
        actor: Actor;
        principal: Principal;
    }) => CommandFields;
    readonly respond: (result: LedgerResult) => z.output<Response>;
    /**
     * Whether `respond` needs only the command's own events, so that a repeat can rebuild the
     * response from them and the write claims its key in the same group commit. Default true; false
     * for commands whose answer depends on their reactions (transfers, donations): those record the
     * response after the write, a second durable append.
     */
    readonly replayFromEvents?: boolean;
}
/** What every route family that executes commands receives. */
export interface CommandRouteDependencies extends WriteDependencies {
    readonly ledger: Ledger;
    /** Read only: a repeat's response is rebuilt from the events its command appended. */
    readonly store: StoreReader;
}
/** Position of the last event this command (and its reactions) appended; null if it had already taken effect. */
export declare function lastPosition(result: LedgerResult): bigint | null;
/** Data of the first event of `type` the command produced. Throws when the domain produced none. */
export declare function eventData<T extends EventType>(result: LedgerResult, type: T): EventOf<T>['data'];
/**
 * The events one command appended to `streamName`, found by their idempotency key, newest page
 * first: they are contiguous (one append), and a repeat is usually of a recent write.
 */
export declare function eventsOfCommand(store: StoreReader, streamName: string, idempotencyKey: string): Promise<RecordedEvent[]>;
export declare function commandRoute<Params extends z.ZodType, Body extends z.ZodType, Response extends z.ZodObject>(app: TypedApp, context: CommandRouteDependencies, spec: CommandRouteSpec<Params, Body, Response>): void;
/** An empty strict body, for commands whose every field is in the path. */
export declare const emptyBody: z.ZodObject<{}, z.core.$strict>;
export {};
