/**
 * Organisers: confirm, reject, correct and void service records of their organisation, and record
 * one activity for many volunteers at once. "Whoever organises records; whoever records certifies":
 * the scope of a record route is the record's organising organisation.
 */
import { z } from 'zod';
import {
  CORRECTION_REASON_CODES,
  DomainError,
  idSchema,
  noteFieldSchema,
  QUALITY_GRADES,
  textFieldSchema,
  backdatingReasonSchema,
  VOLUNTEER_NUMBER_PATTERN,
  type CommandOf,
  wholeMinuteInstantSchema,
} from '@timebank/domain';
import type { ReadModelQueries } from '@timebank/projections';
import { scopeFromBody } from '../auth/access.js';
import { domainActorOf, serviceRecordScope } from '../auth/domain-scope.js';
import { DOMAIN_ERROR_STATUS } from '../http/domain-errors.js';
import { ProblemError, type FieldIssue } from '../http/problem.js';
import { idempotentWrite, positionSchema, writeHeaders } from '../http/write.js';
import { commandRoute, lastPosition, type CommandRouteDependencies } from './command-route.js';
import type { ProjectorHandle } from './projector-handle.js';
import { readModels } from './read-model-routes.js';
import type { TypedApp } from './typed-app.js';

const recordParams = z.strictObject({ volunteerId: idSchema, recordId: idSchema });
const ORGANISERS = ['organiser', 'admin'] as const;
const recordResponse = z.object({ recordId: z.string(), status: z.string() });

/** Volunteers in one bulk activity record. 500: a large community event; keeps the request under 64 KiB. */
export const BULK_VOLUNTEERS_MAX = 500;

/**
 * The bulk route's dry run decides with the ledger's own clock, so these routes need no other. It
 * resolves volunteer numbers through the volunteer read model, hence the projector.
 */
export interface ServiceRecordRouteDependencies extends CommandRouteDependencies {
  /** Null when no projector runs: then a bulk record by volunteer numbers answers READ_MODEL_BEHIND. */
  readonly projector: ProjectorHandle | null;
  readonly readModels: ReadModelQueries | null;
  readonly config: { readonly readYourWritesTimeoutMs: number };
}

/** A list of the bulk route's volunteers: 1 to BULK_VOLUNTEERS_MAX, each once. */
function bulkList<T extends z.ZodType<string>>(item: T, what: string) {
  return z
    .array(item)
    .min(1)
    .max(BULK_VOLUNTEERS_MAX)
    .refine((values) => new Set(values).size === values.length, `${what} must be unique`)
    .optional();
}

const volunteerNumberSchema = z
  .string()
  .regex(VOLUNTEER_NUMBER_PATTERN, 'must be a volunteer number: TB and 12 characters, upper case');

/** The serviceRecord routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function serviceRecordRoutes(
  app: TypedApp,
  context: ServiceRecordRouteDependencies,
): Promise<void> {
  const { ledger } = context;
  const scope = serviceRecordScope(ledger);

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/service-records/:recordId/confirm',
    tag: 'organisers',
    summary:
      'Confirm a pending service record; points are earned under the policy in force at the service time',
    roles: ORGANISERS,
    scope,
    params: recordParams,
    body: z.strictObject({ qualityGrade: z.enum(QUALITY_GRADES).optional() }),
    status: 200,
    response: recordResponse,
    command: ({ params, body }) => ({
      type: 'ConfirmServiceHours',
      ...params,
      ...(body.qualityGrade === undefined ? {} : { qualityGrade: body.qualityGrade }),
    }),
    respond: (result) => ({ recordId: recordIdOf(result.events), status: 'confirmed' }),
  });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/service-records/:recordId/reject',
    tag: 'organisers',
    summary: 'Reject a pending service record, with a reason',
    roles: ORGANISERS,
    scope,
    params: recordParams,
    body: z.strictObject({ reason: textFieldSchema }),
    status: 200,
    response: recordResponse,
    command: ({ params, body }) => ({ type: 'RejectServiceHours', ...params, reason: body.reason }),
    respond: (result) => ({ recordId: recordIdOf(result.events), status: 'rejected' }),
  });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/service-records/:recordId/correct',
    tag: 'organisers',
    summary:
      "Correct a record: the old record's effect is reversed and the corrected one applied; nothing is edited",
    roles: ORGANISERS,
    scope,
    params: recordParams,
    body: z.strictObject({
      reasonCode: z.enum(CORRECTION_REASON_CODES),
      note: noteFieldSchema
        .optional()
        .describe('Also the reason required when the new start is older than the back-dating window'),
      activity: textFieldSchema.optional(),
      organisationId: idSchema.optional(),
      startAt: wholeMinuteInstantSchema.optional(),
      endAt: wholeMinuteInstantSchema.optional(),
    }),
    status: 200,
    response: z.object({
      recordId: z.string(),
      correctedRecordId: z.string().nullable(),
      status: z.string(),
    }),
    command: ({ params, body }) => ({ type: 'CorrectServiceRecord', ...params, ...definedFields(body) }),
    respond: (result) => {
      const corrected = result.events.find((event) => event.type === 'ServiceRecordCorrected');
      const data = corrected?.data as { recordId?: string; replacementRecordId?: string } | undefined;
      return {
        recordId: data?.recordId ?? '',
        correctedRecordId: data?.replacementRecordId ?? null,
        status: 'corrected',
      };
    },
  });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/service-records/:recordId/void',
    tag: 'organisers',
    summary:
      "Void a record (e.g. a duplicate): its effect is reversed, and it stays in the volunteer's history",
    roles: ORGANISERS,
    scope,
    params: recordParams,
    body: z.strictObject({
      reasonCode: z.enum(CORRECTION_REASON_CODES),
      note: noteFieldSchema.optional(),
    }),
    status: 200,
    response: recordResponse,
    command: ({ params, body }) => ({ type: 'VoidServiceRecord', ...params, ...definedFields(body) }),
    respond: (result) => ({ recordId: recordIdOf(result.events), status: 'voided' }),
  });

  app.post(
    '/v1/activities',
    {
      config: {
        access: { roles: ORGANISERS, scope: scopeFromBody('organisation', 'organisationId') },
        // Volunteer numbers are resolved through the volunteer read model.
        readsModels: true,
      },
      schema: {
        tags: ['organisers'],
        summary:
          'Record one activity for many volunteers (by id or by volunteer number), validated all-or-nothing before anything is written',
        headers: writeHeaders,
        body: z
          .strictObject({
            activity: textFieldSchema,
            organisationId: idSchema,
            projectId: idSchema
              .optional()
              .describe('A social-work project of the organisation; checked before anything is written'),
            startAt: wholeMinuteInstantSchema,
            endAt: wholeMinuteInstantSchema,
            backdatingReason: backdatingReasonSchema
              .optional()
              .describe(
                "An administrator's reason, required when the start is older than the back-dating window",
              ),
            volunteerIds: bulkList(idSchema, 'volunteer ids').describe(
              'The volunteers by id; give this or volunteerNumbers',
            ),
            volunteerNumbers: bulkList(volunteerNumberSchema, 'volunteer numbers').describe(
              'The volunteers by the number the desk issued (TB…); give this or volunteerIds',
            ),
          })
          .refine(
            (body) => (body.volunteerIds === undefined) !== (body.volunteerNumbers === undefined),
            'give either volunteerIds or volunteerNumbers, not both',
          ),
        response: {
          201: z.object({
            records: z
              .array(z.object({ volunteerId: z.string(), recordId: z.string(), durationMinutes: z.number() }))
              .describe('One per volunteer, in the order given'),
            position: positionSchema.nullable(),
          }),
        },
      },
    },
    async (request, reply) =>
      idempotentWrite(context, request, reply, async (commandKey) => {
        const { volunteerIds, volunteerNumbers, backdatingReason, projectId, ...service } = request.body;
        const list = volunteerNumbers === undefined ? 'volunteerIds' : 'volunteerNumbers';
        if (projectId !== undefined) await assertProjectOf(context, projectId, service.organisationId);
        const actor = domainActorOf(request.principal!);
        const volunteers = await volunteersOf(context, { volunteerIds, volunteerNumbers });
        const commands = volunteers.map((volunteerId, index): CommandOf<'RecordServiceHours'> | null =>
          volunteerId === null
            ? null
            : {
                type: 'RecordServiceHours',
                idempotencyKey: `${commandKey}#${index}`,
                actor,
                volunteerId,
                ...service,
                ...(projectId === undefined ? {} : { projectId }),
                ...(backdatingReason === undefined ? {} : { backdatingReason }),
              },
        );
        const known = await validateAll(context, commands, volunteerNumbers);
        const records: { volunteerId: string; recordId: string; durationMinutes: number }[] = [];
        let position: bigint | null = null;
        // Each volunteer is its own stream, so the writes are separate appends. If one fails after
        // validation (a concurrent change), the request fails, saying which records were written;
        // repeating it with the same Idempotency-Key completes the rest, because each command
        // keeps its idempotency key.
        for (const command of known) {
          const result = await ledger.execute(command).catch((error: unknown) => {
            throwPartlyWritten(error, command, records, list);
          });
          const recorded = result.events.find((event) => event.type === 'ServiceHoursRecorded');
          if (recorded?.type === 'ServiceHoursRecorded') {
            records.push({
              volunteerId: command.volunteerId,
              recordId: recorded.data.recordId,
              durationMinutes: recorded.data.durationMinutes,
            });
          }
          position = lastPosition(result) ?? position;
        }
        return {
          statusCode: 201 as const,
          body: { records, position: position === null ? null : position.toString() },
        };
      }),
  );
}

/**
 * A domain rejection of one volunteer's write after the others validated (a concurrent change to
 * that volunteer): the same code and status, but the detail says which records were written before
 * it (by line and record id) and that nothing after it was, and `errors` names the refused line.
 * Other failures pass through as they are.
 */
function throwPartlyWritten(
  error: unknown,
  command: CommandOf<'RecordServiceHours'>,
  records: readonly { volunteerId: string; recordId: string }[],
  list: 'volunteerIds' | 'volunteerNumbers',
): never {
  if (!(error instanceof DomainError)) throw error;
  const line = Number(command.idempotencyKey.slice(command.idempotencyKey.lastIndexOf('#') + 1));
  const written =
    records.length === 0
      ? 'no record was written'
      : `records were written for ${records
          .map((record) => `volunteer ${record.volunteerId} (record ${record.recordId})`)
          .join(', ')}`;
  throw new ProblemError(
    DOMAIN_ERROR_STATUS[error.code],
    error.code,
    `body.${list}.${line} was refused after validation (a concurrent change): ${error.message}; ${written}, nothing after it; repeat the request with the same Idempotency-Key to complete the rest`,
    [{ field: `body.${list}.${line}`, message: `${error.code}: ${error.message}` }],
  );
}

/**
 * The activity's project must exist and be the organisation's: checked once, with the project's
 * own code, before the per-volunteer dry run (which checks it again for each record).
 */
async function assertProjectOf(
  context: ServiceRecordRouteDependencies,
  projectId: string,
  organisationId: string,
): Promise<void> {
  const { state } = await context.ledger.load('project', projectId);
  if (state.projectId === null)
    throw new ProblemError(
      DOMAIN_ERROR_STATUS.PROJECT_NOT_FOUND,
      'PROJECT_NOT_FOUND',
      `no project ${projectId}`,
    );
  if (state.organisationId !== organisationId) {
    throw new ProblemError(
      DOMAIN_ERROR_STATUS.PROJECT_ORGANISATION_MISMATCH,
      'PROJECT_ORGANISATION_MISMATCH',
      `project ${projectId} is not run by organisation ${organisationId}`,
    );
  }
}

/**
 * The volunteer id of each line, in order: the ids as given, or the numbers resolved through the
 * volunteer read model (null for a number nobody holds). The read model is first brought up to
 * the store's head, so a volunteer registered before this request is found, as a desk's look-up
 * with the registration's position would find them.
 */
async function volunteersOf(
  context: ServiceRecordRouteDependencies,
  given: { volunteerIds?: string[] | undefined; volunteerNumbers?: string[] | undefined },
): Promise<(string | null)[]> {
  if (given.volunteerIds !== undefined) return given.volunteerIds;
  const numbers = given.volunteerNumbers ?? [];
  const head = await context.store.headPosition();
  const ids = await (await readModels(context, head.toString())).volunteerIdsByNumber(numbers);
  return numbers.map((number) => ids.get(number) ?? null);
}

/**
 * Decides every command without writing (a dry run); any rejection rejects all, and so does a
 * line whose volunteer number nobody holds (a null command), each named by its line. Returns the
 * commands, all known, when none is refused.
 */
async function validateAll(
  context: ServiceRecordRouteDependencies,
  commands: (CommandOf<'RecordServiceHours'> | null)[],
  volunteerNumbers: readonly string[] | undefined,
): Promise<CommandOf<'RecordServiceHours'>[]> {
  const list = volunteerNumbers === undefined ? 'volunteerIds' : 'volunteerNumbers';
  const known = commands.filter((command) => command !== null);
  const decisions = await context.ledger.decideAll(known);
  const issues: FieldIssue[] = [];
  let decided = 0;
  for (const [index, command] of commands.entries()) {
    const field = `body.${list}.${index}`;
    if (command === null) {
      const number = volunteerNumbers?.[index] ?? '';
      issues.push({ field, message: `VOLUNTEER_NOT_FOUND: no volunteer numbered ${number}` });
      continue;
    }
    const outcome = decisions[decided];
    decided += 1;
    if (outcome instanceof DomainError)
      issues.push({ field, message: `${outcome.code}: ${outcome.message}` });
  }
  if (issues.length > 0) {
    throw ProblemError.http(
      'BULK_VALIDATION_FAILED',
      `${issues.length} of ${commands.length} volunteers cannot take this record; nothing was written`,
      issues,
    );
  }
  return known;
}

function recordIdOf(events: readonly { type: string; data: object }[]): string {
  const data = events[0]?.data as { recordId?: unknown } | undefined;
  return typeof data?.recordId === 'string' ? data.recordId : '';
}

/** Drops undefined fields, which `exactOptionalPropertyTypes` and the strict command schemas refuse. */
function definedFields<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
