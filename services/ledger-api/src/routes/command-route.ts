/**
 * One shape for every route that executes a domain command: strict zod params and body, an
 * Idempotency-Key header, access rules, and a response that names the position of the write's
 * last event (including the reactions it caused, e.g. a transfer's credit).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { idempotencyKeyOf } from '@timebank/application';
import type { Ledger, LedgerResult } from '@timebank/application';
import type { Actor, CommandInput, DomainEvent, EventOf, EventType } from '@timebank/domain';
import type { JsonObject, RecordedEvent } from '@timebank/event-store';
import type { ScopeRule } from '../auth/access.js';
import { domainActorOf } from '../auth/domain-scope.js';
import type { Principal, Role } from '../auth/principal.js';
import { answeredElsewhere } from '../http/idempotency.js';
import { idempotentWrite, positionSchema, writeHeaders, type WriteDependencies } from '../http/write.js';
import type { StoreReader } from './store-reader.js';
import type { TypedApp } from './typed-app.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A command without what the HTTP layer adds: the idempotency key and the actor. */
export type CommandFields = DistributiveOmit<CommandInput, 'idempotencyKey' | 'actor'>;

export interface CommandRouteSpec<
  Params extends z.ZodType,
  Body extends z.ZodType,
  Response extends z.ZodObject,
> {
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
    /** The request's source address (`request.ip`), for guards that count per address. */
    sourceAddress: string;
  }) => CommandFields | Promise<CommandFields>;
  readonly respond: (result: LedgerResult) => z.output<Response>;
  /** Called with the error when the ledger refuses the command, before the error is answered. */
  readonly onRefused?: (
    error: unknown,
    input: { params: z.output<Params>; body: z.output<Body>; sourceAddress: string },
  ) => void;
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
export function lastPosition(result: LedgerResult): bigint | null {
  let last = result.position;
  for (const reaction of result.reactions) {
    if (reaction.position !== null && (last === null || reaction.position > last)) last = reaction.position;
  }
  return last;
}

/** Data of the first event of `type` the command produced. Throws when the domain produced none. */
export function eventData<T extends EventType>(result: LedgerResult, type: T): EventOf<T>['data'] {
  const event = result.events.find((candidate: DomainEvent) => candidate.type === type);
  if (event === undefined) {
    // A command that had already taken effect appends nothing; its response is replayed by the idempotency layer.
    throw new Error(`expected a ${type} event from ${result.streamName}`);
  }
  return event.data as EventOf<T>['data'];
}

/** Events read per page while looking for a claimed command's events, newest first. */
const REBUILD_PAGE_EVENTS = 100;

/**
 * The events one command appended to `streamName`, found by their idempotency key, newest page
 * first: they are contiguous (one append), and a repeat is usually of a recent write.
 */
export async function eventsOfCommand(
  store: StoreReader,
  streamName: string,
  idempotencyKey: string,
): Promise<RecordedEvent[]> {
  const found: RecordedEvent[] = [];
  let from: bigint | 'end' = 'end';
  for (;;) {
    const page = await store.readStream(streamName, {
      direction: 'backwards',
      fromRevision: from,
      maxCount: REBUILD_PAGE_EVENTS,
    });
    for (const event of page) {
      if (idempotencyKeyOf(event) === idempotencyKey) found.push(event);
      else if (found.length > 0) return found.reverse();
    }
    const oldest = page.at(-1);
    if (page.length < REBUILD_PAGE_EVENTS || oldest === undefined || oldest.revision === 0n) {
      return found.reverse();
    }
    from = oldest.revision - 1n;
  }
}

// eslint-disable-next-line max-lines-per-function -- one route's declaration (schema, access, command, response) in the order fastify needs it
export function commandRoute<Params extends z.ZodType, Body extends z.ZodType, Response extends z.ZodObject>(
  app: TypedApp,
  context: CommandRouteDependencies,
  spec: CommandRouteSpec<Params, Body, Response>,
): void {
  const responseSchema = spec.response.extend({
    position: positionSchema
      .nullable()
      .describe('Position of the last event written; pass as minPosition to reads'),
  });
  app.route({
    method: 'POST',
    url: spec.url,
    config: { access: { roles: spec.roles, scope: spec.scope }, command: true },
    schema: {
      tags: [spec.tag],
      summary: spec.summary,
      headers: writeHeaders,
      params: spec.params,
      body: spec.body,
      response: { [spec.status]: responseSchema },
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) =>
      idempotentWrite(
        context,
        request,
        reply,
        async (commandKey, claim) => {
          const principal = request.principal!;
          const actor = domainActorOf(principal);
          const produced = spec.command({
            params: request.params as z.output<Params>,
            body: request.body as z.output<Body>,
            actor,
            principal,
            sourceAddress: request.ip,
          });
          // Most routes build their command synchronously: no await (a microtask turn) for those.
          const fields = produced instanceof Promise ? await produced : produced;
          let result: LedgerResult;
          try {
            result = await context.ledger.execute(
              { ...fields, idempotencyKey: commandKey, actor },
              claim === undefined ? {} : { onFirstAppend: claim },
            );
          } catch (error) {
            spec.onRefused?.(error, {
              params: request.params as z.output<Params>,
              body: request.body as z.output<Body>,
              sourceAddress: request.ip,
            });
            throw error;
          }
          if (result.events.length === 0) {
            // The same request running in another process wrote it (its answer is waited for), or
            // the key's record was lost (a crash between two appends): the effect stands, once.
            throw answeredElsewhere();
          }
          const position = lastPosition(result);
          const body = { ...spec.respond(result), position: position === null ? null : position.toString() };
          // A reaction's events live in other streams: a repeat could not rebuild this from the claim.
          return {
            statusCode: spec.status,
            body: body as JsonObject,
            recordResponse: result.reactions.length > 0,
          };
        },
        spec.replayFromEvents === false ? undefined : rebuildFromEvents,
      ),
  });

  /** A repeat's response, rebuilt from the events the claimed command appended to its stream. */
  function rebuildFromEvents(commandKey: string) {
    return async (streamName: string) => {
      const recorded = await eventsOfCommand(context.store, streamName, commandKey);
      const last = recorded.at(-1);
      if (last === undefined) return undefined;
      const result: LedgerResult = {
        streamName,
        events: recorded.map((event) => ({ type: event.type, data: event.data }) as DomainEvent),
        revision: last.revision,
        position: last.position,
        reactions: [],
      };
      const body = { ...spec.respond(result), position: last.position.toString() };
      return { statusCode: spec.status, body: body as JsonObject };
    };
  }
}

/** An empty strict body, for commands whose every field is in the path. */
export const emptyBody = z.strictObject({});
