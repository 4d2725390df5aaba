/**
 * Operations routes: liveness, readiness and Prometheus metrics. Public, not rate limited (probes
 * and scrapers call them on a schedule), and they reveal no ledger data.
 */
import { z } from 'zod';
import { ANY_SCOPE } from '../auth/access.js';
import type { ApiMetrics } from '../http/api-metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from '../http/metrics.js';
import { positionSchema } from '../http/write.js';
import type { ProjectorHandle } from './projector-handle.js';
import type { StoreReader } from './store-reader.js';
import type { TypedApp } from './typed-app.js';

/** How long readiness waits for the store to answer before calling it unreachable. 2 s: below typical probe timeouts (5 s). */
const STORE_PROBE_TIMEOUT_MS = 2000;

const PUBLIC = { access: { roles: 'public', scope: ANY_SCOPE }, rateLimit: false } as const;

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The due index's backlog as of the last sweep, and the bound above which the API is not ready. */
export interface DueBacklogHandle {
  current(): { readonly items: number; readonly oldestLagSeconds: number };
  /** `LEDGER_DUE_BACKLOG_MAX`. */
  readonly itemsMax: number;
}

/**
 * PostgreSQL: the personal-data key store's lock against a master-key rotation (see
 * `holdKeyStoreLock` in ledger-opener). `notHeldReason()` says why it is not held now (its
 * connection dropped and it is being taken again, or it is lost for good and the server stops),
 * or undefined while it is held.
 */
export interface KeyStoreLockHandle {
  notHeldReason(): string | undefined;
}

/** The data directory's free space (disk-space.ts): why the API is not ready for lack of it, if it is not. */
export interface DiskSpaceHandle {
  notReadyReason(): Promise<string | undefined>;
}

export interface SystemRouteDependencies {
  readonly store: Pick<StoreReader, 'engine' | 'headPosition'>;
  readonly metrics: Pick<ApiMetrics, 'registry'>;
  /** Null when no projector runs: readiness then checks the store only. */
  readonly projector: ProjectorHandle | null;
  /** Null when no scheduler runs: readiness then ignores the due backlog. */
  readonly dueBacklog?: DueBacklogHandle | null;
  /** Null or absent where no such lock is held (SQLite, EventStoreDB): readiness then ignores it. */
  readonly keyStoreLock?: KeyStoreLockHandle | null;
  /** Null or absent where free space is not watched (tests that build the app alone). */
  readonly diskSpace?: DiskSpaceHandle | null;
}

/**
 * Why the API is not ready although the store answers: the data directory's disk nearly full
 * (writes are about to fail), the key store's lock not held (no registration can succeed
 * meanwhile), the read models, or the due backlog.
 */
async function notReadyReason(context: SystemRouteDependencies): Promise<string | undefined> {
  const diskFull = await withTimeout(
    context.diskSpace?.notReadyReason() ?? Promise.resolve(undefined),
    STORE_PROBE_TIMEOUT_MS,
  ).catch(() => undefined);
  if (diskFull !== undefined) return diskFull;
  const lockNotHeld = context.keyStoreLock?.notHeldReason();
  if (lockNotHeld !== undefined) return lockNotHeld;
  const projector = context.projector;
  // A view of the shared checkpoint a second old could still call a projector stalled that has
  // just come back; a failed re-read leaves the last view, as the timer's would.
  await withTimeout(projector?.refresh?.() ?? Promise.resolve(), STORE_PROBE_TIMEOUT_MS).catch(
    () => undefined,
  );
  const stalled = projector?.stalledReason?.();
  if (stalled !== undefined) return stalled;
  if (projector !== null && !projector.hasCaughtUp()) return 'read models are catching up';
  const due = context.dueBacklog ?? null;
  if (due !== null && due.current().items > due.itemsMax) return 'due backlog over its bound';
  return undefined;
}

/** The system routes, as an encapsulated fastify plugin. */
export async function systemRoutes(app: TypedApp, context: SystemRouteDependencies): Promise<void> {
  app.get(
    '/healthz',
    {
      config: PUBLIC,
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: PUBLIC,
      schema: {
        tags: ['operations'],
        summary:
          'Readiness: the store answers, its disk has room, the key store lock is held and the read models have caught up',
        security: [],
        response: {
          200: z.object({ status: z.literal('ready'), engine: z.string(), headPosition: positionSchema }),
          // Not ready, or a problem sent before the handler ran (503 SHUTTING_DOWN while the server
          // drains): this schema checks both, or the problem would fail it and go out as a 500.
          503: z.union([
            z.object({ status: z.literal('not-ready'), reason: z.string() }),
            z.object({
              type: z.string(),
              title: z.string(),
              status: z.literal(503),
              code: z.string(),
              detail: z.string().optional(),
              instance: z.string().optional(),
            }),
          ]),
        },
      },
    },
    async (request, reply) => {
      let head: bigint;
      try {
        head = await withTimeout(context.store.headPosition(), STORE_PROBE_TIMEOUT_MS);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: store unreachable');
        return reply.code(503).send({ status: 'not-ready' as const, reason: 'event store unreachable' });
      }
      const reason = await notReadyReason(context);
      if (reason !== undefined) return reply.code(503).send({ status: 'not-ready' as const, reason });
      return { status: 'ready' as const, engine: context.store.engine, headPosition: head.toString() };
    },
  );

  app.get(
    '/metrics',
    {
      config: PUBLIC,
      schema: { tags: ['operations'], summary: 'Prometheus metrics (text format 0.0.4)', security: [] },
    },
    async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(context.metrics.registry.encode()),
  );
}
