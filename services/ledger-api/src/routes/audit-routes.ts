/**
 * Auditors read everything, in order, with hashes, and verify that nothing was altered. They
 * write nothing. Positions and revisions travel as decimal strings.
 */
import { z } from 'zod';
import { STREAM_NAME_PATTERN, type RecordedEvent } from '@timebank/event-store';
import type { LogCheckReport } from '@timebank/projections';
import { ANY_SCOPE } from '../auth/access.js';
import { ProblemError } from '../http/problem.js';
import { instantOnTheWire, positionSchema, revisionSchema } from '../http/positions.js';
import { pageSize } from './read-model-routes.js';
import type { StoreReader } from './store-reader.js';
import type { TypedApp } from './typed-app.js';

const AUDITORS = { access: { roles: ['auditor', 'admin'], scope: ANY_SCOPE } } as const;

/** Events per page. Default 100, at most 1,000 (`pageSize`): a page stays well under a megabyte of JSON. */
const PAGE_SIZE_DEFAULT = 100;

export const recordedEventSchema = z.object({
  position: positionSchema,
  streamName: z.string(),
  revision: revisionSchema,
  id: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()),
  recordedAt: instantOnTheWire.describe('When the store recorded the event (ISO-8601 UTC)'),
  hash: z.string().describe('sha-256 link of the stream’s hash chain (docs/event-store.md)'),
});

export function eventOnTheWire(event: RecordedEvent): z.infer<typeof recordedEventSchema> {
  return {
    position: event.position.toString(),
    streamName: event.streamName,
    revision: event.revision.toString(),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata },
    recordedAt: event.recordedAt,
    hash: event.hash,
  };
}

/** Failures listed in one report; the rest are counted. 100 is plenty to locate tampering. */
const FAILURES_LISTED_MAX = 100;

const reportSchema = z.object({
  ok: z.boolean(),
  eventsChecked: z.number().int(),
  streamsChecked: z.number().int(),
  lastPosition: positionSchema,
  failures: z.array(
    z.object({
      kind: z
        .enum(['hash-chain', 'schema', 'order'])
        .describe('a broken hash chain, an event outside the event catalogue, or positions out of order'),
      streamName: z.string(),
      revision: revisionSchema,
      reason: z.string(),
    }),
  ),
  failureCount: z.number().int().describe(`every failure found; at most ${FAILURES_LISTED_MAX} are listed`),
});

export interface AuditRouteDependencies {
  readonly store: StoreReader;
  /** The verifier of `pnpm ledger verify` (hash chains and the event catalogue), over the same store. */
  readonly checkLog: (options: { streamName?: string; findingsMax: number }) => Promise<LogCheckReport>;
}

/** The audit routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function auditRoutes(app: TypedApp, context: AuditRouteDependencies): Promise<void> {
  app.get(
    '/v1/audit/events',
    {
      config: AUDITORS,
      schema: {
        tags: ['auditors'],
        summary: 'A page of the global event log in position order',
        querystring: z.strictObject({
          after: positionSchema
            .optional()
            .describe('Return events strictly after this position (default: from the start)'),
          limit: pageSize,
        }),
        response: {
          200: z.object({
            events: z.array(recordedEventSchema),
            nextAfter: positionSchema
              .nullable()
              .describe('Pass as `after` for the next page; null at the end'),
            headPosition: positionSchema,
          }),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? PAGE_SIZE_DEFAULT;
      const head = await context.store.headPosition();
      const events = await context.store.readAll({
        fromPosition: BigInt(request.query.after ?? '0'),
        maxCount: limit,
      });
      const last = events.at(-1);
      return {
        events: events.map(eventOnTheWire),
        nextAfter: last !== undefined && events.length === limit ? last.position.toString() : null,
        headPosition: head.toString(),
      };
    },
  );

  app.get(
    '/v1/audit/streams/:streamName',
    {
      config: AUDITORS,
      schema: {
        tags: ['auditors'],
        summary: 'A stream’s history, with each event’s hash',
        params: z.strictObject({ streamName: z.string().regex(STREAM_NAME_PATTERN, 'not a stream name') }),
        querystring: z.strictObject({ fromRevision: revisionSchema.optional(), limit: pageSize }),
        response: {
          200: z.object({
            streamName: z.string(),
            events: z.array(recordedEventSchema),
            nextFromRevision: revisionSchema.nullable(),
          }),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? PAGE_SIZE_DEFAULT;
      const { streamName } = request.params;
      const fromRevision = BigInt(request.query.fromRevision ?? '0');
      const events = await context.store.readStream(streamName, { fromRevision, maxCount: limit });
      // A stream with no events does not exist: a mistyped name is not an empty history. Read past
      // its end, a stream that exists answers an empty page.
      const exists =
        events.length > 0 ||
        (fromRevision > 0n && (await context.store.readStream(streamName, { maxCount: 1 })).length > 0);
      if (!exists) throw ProblemError.http('STREAM_NOT_FOUND', `no stream ${streamName}`);
      const last = events.at(-1);
      return {
        streamName,
        events: events.map(eventOnTheWire),
        nextFromRevision:
          last !== undefined && events.length === limit ? (last.revision + 1n).toString() : null,
      };
    },
  );

  app.get(
    '/v1/audit/verify',
    {
      config: AUDITORS,
      schema: {
        tags: ['auditors'],
        summary: 'Verify the hash chain of one stream, or of every stream (a full scan of the log)',
        querystring: z.strictObject({
          streamName: z.string().regex(STREAM_NAME_PATTERN, 'not a stream name').optional(),
        }),
        response: { 200: reportSchema },
      },
    },
    async (request) => {
      // The same checker as `pnpm ledger verify`: hash chains and the event catalogue.
      const { streamName } = request.query;
      const report = await context.checkLog({
        ...(streamName === undefined ? {} : { streamName }),
        findingsMax: FAILURES_LISTED_MAX,
      });
      // A stream with no events is not a stream that verified: an auditor who mistyped its name
      // must not be told "ok" having checked nothing.
      if (streamName !== undefined && report.events === 0)
        throw ProblemError.http('STREAM_NOT_FOUND', `no stream ${streamName}: nothing to verify`);
      return {
        ok: report.ok,
        eventsChecked: report.events,
        streamsChecked: report.streams,
        lastPosition: report.lastPosition.toString(),
        failures: report.findings.map((finding) => ({
          kind: finding.kind,
          streamName: finding.streamName,
          revision: finding.revision.toString(),
          reason: finding.message,
        })),
        failureCount: report.findingCount,
      };
    },
  );
}
