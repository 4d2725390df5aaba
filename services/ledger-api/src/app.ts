/**
 * Builds the ledger's HTTP API as a fastify instance; never listens (`server.ts` does). Tests
 * build it over a real store and call it with `app.inject()`.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import {
  createJsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Ledger } from '@timebank/application';
import type { EventStore } from '@timebank/event-store';
import type { ReadModelQueries } from '@timebank/projections';
import { ApiKeyRegistry } from './auth/api-keys.js';
import { registerAccessControl, type RouteAccessEntry } from './auth/access.js';
import { activeScopeCheck } from './auth/domain-scope.js';
import type { LedgerApiConfig } from './config.js';
import type { AppContext, ProjectorHandle, TypedApp } from './context.js';
import { ApiMetrics } from './http/api-metrics.js';
import { registerErrorHandling } from './http/error-handler.js';
import { ProblemError } from './http/problem.js';
import { clientErrorHandler, routerErrorHandler } from './http/framework-errors.js';
import { registerMinPositionCheck } from './http/min-position.js';
import { addErrorResponses, routeErrorFacts, type RouteErrorFacts } from './http/openapi-errors.js';
import { requestLabels } from './http/request-labels.js';
import { IdempotencyRecords } from './http/idempotency.js';
import { registerSystemRoutes } from './routes/system-routes.js';
import { registerApiKeyRoutes } from './routes/api-key-routes.js';
import { registerAuditRoutes } from './routes/audit-routes.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerCertificateRoutes } from './routes/certificate-routes.js';
import { registerReadModelRoutes } from './routes/read-model-routes.js';
import { registerPartnerRoutes } from './routes/partner-routes.js';
import { registerServiceRecordRoutes } from './routes/service-record-routes.js';
import { registerTransferRoutes } from './routes/transfer-routes.js';
import { registerVolunteerRoutes } from './routes/volunteer-routes.js';

export interface AppDependencies {
  readonly config: LedgerApiConfig;
  /** The store every route reads and writes; pass the one wrapped by `instrumentStore(store, metrics)`. */
  readonly store: EventStore;
  /** The write side (packages/application), built over the same store. */
  readonly ledger: Ledger;
  readonly logger: Logger;
  /** Default: a fresh registry (then store appends are not counted unless the store was instrumented with it). */
  readonly metrics?: ApiMetrics;
  /** The clock as epoch milliseconds; the same one the ledger decides with. */
  readonly clock?: () => number;
  readonly projector?: ProjectorHandle;
  readonly readModels?: ReadModelQueries;
}

export interface LedgerApp {
  readonly app: FastifyInstance;
  readonly context: AppContext;
  /** Every `/v1` route with its roles and scope rule. */
  readonly routes: readonly RouteAccessEntry[];
}

/** A client-supplied request id is kept if it is short and printable; otherwise a UUID is made. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

const noQuery = z.strictObject({});

// eslint-disable-next-line max-lines-per-function -- split by part H of #14
export async function buildApp(dependencies: AppDependencies): Promise<LedgerApp> {
  const { config } = dependencies;
  const metrics = dependencies.metrics ?? new ApiMetrics();
  const { store, ledger } = dependencies;
  metrics.observeCommandConflicts(() => ledger.handler.conflicts);
  const projector = dependencies.projector;
  if (projector !== undefined) metrics.observeProjectionLag(() => projector.lag());
  const keys = await ApiKeyRegistry.load(store, { refreshIntervalMs: config.apiKeyRefreshMs });
  const context: AppContext = {
    config,
    store,
    keys,
    ledger,
    idempotency: new IdempotencyRecords({ store, cacheEntriesMax: config.idempotencyCacheEntriesMax }),
    metrics,
    projector: dependencies.projector ?? null,
    readModels: dependencies.readModels ?? null,
    clock: dependencies.clock ?? (() => Date.now()),
  };

  const loggerInstance: FastifyBaseLogger = dependencies.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: config.bodyLimitBytes,
    genReqId: (raw) => {
      const given = raw.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    },
    // Unknown query parameters are rejected by the strict schemas, not silently dropped.
    routerOptions: { ignoreTrailingSlash: true },
    // Errors raised before routing answer as problems too (http/framework-errors.ts).
    frameworkErrors: routerErrorHandler,
    clientErrorHandler: clientErrorHandler(dependencies.logger),
    // fastify's own 503 while closing is plain JSON; the onRequest hook below answers a problem instead.
    return503OnClosing: false,
  });
  // Bodies are JSON only; anything else is 415 UNSUPPORTED_MEDIA_TYPE rather than a confusing schema error.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app, metrics);
  const errorFacts = new Map<string, RouteErrorFacts>();
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) return;
    // A route that declares no query takes none: an unknown parameter is 400, as everywhere else.
    if (route.schema?.querystring === undefined) route.schema = { ...route.schema, querystring: noQuery };
    for (const method of [route.method].flat()) {
      errorFacts.set(`${method} ${route.url}`, routeErrorFacts(route, method));
    }
  });

  // While closing, answers end their keep-alive connection: otherwise a client's idle connection
  // would hold close() open until the keep-alive timeout (72 s), beyond any shutdown grace period.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // A request that arrives while the server drains (its headers were still coming in at close).
    if (closing) throw ProblemError.http('SHUTTING_DOWN', 'the server is shutting down; retry the request');
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.requestSeconds.observe(requestLabels(request, reply), reply.elapsedTime / 1000);
  });

  // Before access control: a scope rule may itself wait on the read models for minPosition.
  registerMinPositionCheck(app, store);
  const routes = registerAccessControl(app, keys, activeScopeCheck(ledger));
  await app.register(fastifyRateLimit, {
    max: config.rateLimit.requestsMax,
    timeWindow: config.rateLimit.windowSeconds * 1000,
    // Per API key (its id; the key itself is never kept), per client address for unauthenticated calls.
    keyGenerator: (request) =>
      request.principal === null ? `ip:${request.ip}` : `key:${request.principal.keyId}`,
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Volunteer time-bank ledger API',
        description:
          'Event-sourced ledger of volunteer service hours, stars and time-bank points. See docs/api.md.',
        version: '1.0.0',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (tbk_…)' } },
      },
      security: [{ apiKey: [] }],
    },
    transform: createJsonSchemaTransform({ skipList: ['/docs', '/docs/*', '/docs/json', '/docs/yaml'] }),
    transformObject: (document) =>
      'openapiObject' in document
        ? addErrorResponses(document.openapiObject, errorFacts)
        : document.swaggerObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  const typed: TypedApp = app.withTypeProvider<ZodTypeProvider>();
  registerSystemRoutes(typed, context);
  registerApiKeyRoutes(typed, context);
  registerAuditRoutes(typed, context);
  registerVolunteerRoutes(typed, context);
  registerServiceRecordRoutes(typed, context);
  registerCertificateRoutes(typed, context);
  registerTransferRoutes(typed, context);
  registerPartnerRoutes(typed, context);
  registerAdminRoutes(typed, context);
  registerReadModelRoutes(typed, context);

  await app.ready();
  return { app, context, routes };
}
