/**
 * One shape for every route that executes a domain command: strict zod params and body, an
 * Idempotency-Key header, access rules, and a response that names the position of the write's
 * last event (including the reactions it caused, e.g. a transfer's credit).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { LedgerResult } from '@timebank/application';
import type { Actor, CommandInput, DomainEvent, EventOf, EventType } from '@timebank/domain';
import type { JsonObject } from '@timebank/event-store';
import type { ScopeRule } from '../auth/access.js';
import { domainActorOf } from '../auth/domain-scope.js';
import type { Principal, Role } from '../auth/principal.js';
import type { AppContext, TypedApp } from '../context.js';
import { ProblemError } from '../http/problem.js';
import { idempotentWrite, positionSchema, writeHeaders } from '../http/write.js';

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
  }) => CommandFields;
  readonly respond: (result: LedgerResult) => z.output<Response>;
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

export function commandRoute<Params extends z.ZodType, Body extends z.ZodType, Response extends z.ZodObject>(
  app: TypedApp,
  context: AppContext,
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
    config: { access: { roles: spec.roles, scope: spec.scope } },
    schema: {
      tags: [spec.tag],
      summary: spec.summary,
      headers: writeHeaders,
      params: spec.params,
      body: spec.body,
      response: { [spec.status]: responseSchema },
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) =>
      idempotentWrite(context, request, reply, async (commandKey) => {
        const principal = request.principal!;
        const fields = spec.command({
          params: request.params as z.output<Params>,
          body: request.body as z.output<Body>,
          actor: domainActorOf(principal),
          principal,
        });
        const result = await context.ledger.execute({
          ...fields,
          idempotencyKey: commandKey,
          actor: domainActorOf(principal),
        });
        if (result.events.length === 0) {
          // Only after a crash between the command's append and its response record: the effect stands, once.
          throw ProblemError.http(
            'COMMAND_ALREADY_APPLIED',
            'this command already took effect; read the stream for its events',
          );
        }
        const position = lastPosition(result);
        const body = { ...spec.respond(result), position: position === null ? null : position.toString() };
        return { statusCode: spec.status, body: body as JsonObject };
      }),
  });
}

/** An empty strict body, for commands whose every field is in the path. */
export const emptyBody = z.strictObject({});
