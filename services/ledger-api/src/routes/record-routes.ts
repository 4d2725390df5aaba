/**
 * Training (培训) and commendations (表彰奖励), two of the five categories of a volunteer's record
 * (民政部令第67号 Art. 4): the desk of the volunteer's community or an administrator records them;
 * the desk, an administrator or the volunteer reads them. Reads fold the volunteer's own stream,
 * like the other volunteer reads, so they include the caller's latest write.
 */
import { z } from 'zod';
import {
  calendarDateSchema,
  idSchema,
  recordSourceSchema,
  textFieldSchema,
  TRAINING_MINUTES_MAX,
  type VolunteerState,
} from '@timebank/domain';
import { readVolunteer, volunteerScope } from '../auth/domain-scope.js';
import { instantOnTheWire } from '../http/positions.js';
import { ProblemError } from '../http/problem.js';
import { commandRoute, eventData, type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';

const DESK = ['desk', 'admin'] as const;
const SELF = ['desk', 'admin', 'volunteer'] as const;

const sourceOnTheWire = z
  .object({ system: z.string(), recordId: z.string() })
  .nullable()
  .describe('The system and record id an imported record came from; null when recorded here');

export const trainingSchema = z.object({
  trainingId: z.string(),
  title: z.string(),
  provider: z.string(),
  completedOn: z.string().describe('Local calendar date YYYY-MM-DD'),
  durationMinutes: z.number().int(),
  source: sourceOnTheWire,
  recordedAt: instantOnTheWire,
});

export const commendationSchema = z.object({
  commendationId: z.string(),
  title: z.string(),
  awardedBy: z.string(),
  awardedOn: z.string().describe('Local calendar date YYYY-MM-DD'),
  source: sourceOnTheWire,
  recordedAt: instantOnTheWire,
});

type TrainingView = z.infer<typeof trainingSchema>;
type CommendationView = z.infer<typeof commendationSchema>;

/** The volunteer's trainings and commendations recorded up to `untilMs` (all when null), in recorded order. */
export function recordsOf(
  state: VolunteerState,
  untilMs: number | null,
): { trainings: TrainingView[]; commendations: CommendationView[] } {
  const upTo = (recordedAt: string) => untilMs === null || Date.parse(recordedAt) <= untilMs;
  return {
    trainings: state.trainings
      .filter((training) => upTo(training.recordedAt))
      .map((training) => ({
        trainingId: training.trainingId,
        title: training.title,
        provider: training.provider,
        completedOn: training.completedOn,
        durationMinutes: training.durationMinutes,
        source: training.source ?? null,
        recordedAt: training.recordedAt,
      })),
    commendations: state.commendations
      .filter((commendation) => upTo(commendation.recordedAt))
      .map((commendation) => ({
        commendationId: commendation.commendationId,
        title: commendation.title,
        awardedBy: commendation.awardedBy,
        awardedOn: commendation.awardedOn,
        source: commendation.source ?? null,
        recordedAt: commendation.recordedAt,
      })),
  };
}

/** The record routes, as an encapsulated fastify plugin. */
export async function recordRoutes(app: TypedApp, context: CommandRouteDependencies): Promise<void> {
  const { ledger } = context;
  const volunteerParams = z.strictObject({ volunteerId: idSchema });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/trainings',
    tag: 'desks',
    summary: 'Record a training the volunteer completed (培训); shown on certificates on request',
    roles: DESK,
    scope: volunteerScope(ledger),
    params: volunteerParams,
    body: z.strictObject({
      title: textFieldSchema,
      provider: textFieldSchema.describe('Who gave the training, as printed'),
      completedOn: calendarDateSchema.describe('Local calendar date YYYY-MM-DD'),
      durationMinutes: z.number().int().positive().max(TRAINING_MINUTES_MAX),
      source: recordSourceSchema.optional(),
    }),
    status: 201,
    response: z.object({ trainingId: z.string() }),
    command: ({ params, body }) => ({ type: 'RecordTraining', volunteerId: params.volunteerId, ...body }),
    respond: (result) => ({ trainingId: eventData(result, 'TrainingRecorded').trainingId }),
  });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/commendations',
    tag: 'desks',
    summary: 'Record a commendation the volunteer received (表彰奖励); shown on certificates on request',
    roles: DESK,
    scope: volunteerScope(ledger),
    params: volunteerParams,
    body: z.strictObject({
      title: textFieldSchema,
      awardedBy: textFieldSchema.describe('Who awarded it, as printed'),
      awardedOn: calendarDateSchema.describe('Local calendar date YYYY-MM-DD'),
      source: recordSourceSchema.optional(),
    }),
    status: 201,
    response: z.object({ commendationId: z.string() }),
    command: ({ params, body }) => ({ type: 'RecordCommendation', volunteerId: params.volunteerId, ...body }),
    respond: (result) => ({ commendationId: eventData(result, 'CommendationRecorded').commendationId }),
  });

  app.get(
    '/v1/volunteers/:volunteerId/records',
    {
      config: { access: { roles: SELF, scope: volunteerScope(ledger, { volunteer: true }) } },
      schema: {
        tags: ['desks'],
        summary: "The volunteer's trainings and commendations, in the order they were recorded",
        params: volunteerParams,
        response: {
          200: z.object({
            volunteerId: z.string(),
            trainings: z.array(trainingSchema),
            commendations: z.array(commendationSchema),
          }),
        },
      },
    },
    async (request) => {
      const { volunteerId } = request.params;
      const records = await readVolunteer(ledger, volunteerId, (state) =>
        state.status === 'unregistered' ? null : recordsOf(state, null),
      );
      if (records === null) throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', `no volunteer ${volunteerId}`);
      return { volunteerId, ...records };
    },
  );
}
