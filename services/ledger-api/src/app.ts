/**
 * Builds the ledger's HTTP API as a fastify instance; never listens (`server.ts` does). Tests
 * build it over a real store and call it with `app.inject()`.
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { createJsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Ledger } from '@timebank/application';
import type { EventStore } from '@timebank/event-store';
import { checkLog, type ReadModelQueries } from '@timebank/projections';
import { loadConsoleAssets } from '@timebank/console';
import { ApiKeyRegistry } from './auth/api-keys.js';
import { registerAccessControl, type RouteAccessEntry } from './auth/access.js';
import { VolunteerCredentials } from './auth/volunteer-credentials.js';
import { activeScopeCheck } from './auth/domain-scope.js';
import type { LedgerApiConfig } from './config.js';
import { ApiMetrics } from './http/api-metrics.js';
import { fastSerializerCompiler } from './http/fast-serializer.js';
import { fastValidatorCompiler } from './http/fast-validator.js';
import { registerErrorHandling } from './http/error-handler.js';
import { httpServerOptions, limitConnections } from './http/connection-limits.js';
import { findDuplicateKey } from './http/json-duplicate-keys.js';
import { ProblemError } from './http/problem.js';
import { clientErrorHandler, routerErrorHandler } from './http/framework-errors.js';
import { minPositionCheck } from './http/min-position.js';
import { RateLimiter } from './http/rate-limit.js';
import { LevelAwareLogController, lazyChildLogger } from './http/request-logger.js';
import { registerRequestMetrics } from './http/request-metrics.js';
import { addErrorResponses, routeErrorFacts, type RouteErrorFacts } from './http/openapi-errors.js';
import { IdempotencyRecords } from './http/idempotency.js';
import { watchDiskSpace } from './disk-space.js';
import {
  systemRoutes,
  type DiskSpaceHandle,
  type DueBacklogHandle,
  type KeyStoreLockHandle,
} from './routes/system-routes.js';
import { apiKeyRoutes } from './routes/api-key-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { adminRoutes } from './routes/admin-routes.js';
import { hierarchyRoutes } from './routes/hierarchy-routes.js';
import { poolRoutes } from './routes/pool-routes.js';
import { projectRoutes } from './routes/project-routes.js';
import { certificateRoutes } from './routes/certificate-routes.js';
import { recordRoutes } from './routes/record-routes.js';
import { consoleRoutes } from './routes/console-routes.js';
import type { CommandRouteDependencies } from './routes/command-route.js';
import type { ProjectorHandle } from './routes/projector-handle.js';
import { readModelRoutes } from './routes/read-model-routes.js';
import { asOfRoutes } from './routes/as-of-routes.js';
import { registryReadRoutes } from './routes/registry-read-routes.js';
import { disputeRoutes } from './routes/dispute-routes.js';
import { createSpendCodeGuard } from './auth/spend-code-guard.js';
import { consentRoutes } from './routes/consent-routes.js';
import { partnerRoutes } from './routes/partner-routes.js';
import { serviceRecordRoutes } from './routes/service-record-routes.js';
import { storeReader } from './routes/store-reader.js';
import { transferRoutes } from './routes/transfer-routes.js';
import type { TypedApp } from './routes/typed-app.js';
import { volunteerRoutes } from './routes/volunteer-routes.js';
import { volunteerSessionRoutes } from './routes/volunteer-session-routes.js';

/** Whether plain JSON.parse reads `text` (fastify's parser refused it: then for a prototype key). */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether a Content-Encoding header names any coding but `identity` (which means none). */
function isContentEncoded(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((coding) => {
    const name = coding.trim().toLowerCase();
    return name !== '' && name !== 'identity';
  });
}

export interface AppDependencies {
  readonly config: LedgerApiConfig;
  /**
   * The store the key registry and idempotency records append to and routes read through a
   * read-only view; pass the one wrapped by `instrumentStore(store, metrics)`.
   */
  readonly store: EventStore;
  /**
   * The store as the ledger reads it, personal fields opened (`sealingStore`): command routes
   * rebuild responses and volunteer routes show history through it. Default: `store`.
   */
  readonly personalStore?: EventStore;
  /** The write side (packages/application), built over the same store. */
  readonly ledger: Ledger;
  readonly logger: Logger;
  /** Default: a fresh registry (then store appends are not counted unless the store was instrumented with it). */
  readonly metrics?: ApiMetrics;
  /** The clock as epoch milliseconds; the same one the ledger decides with. */
  readonly clock?: () => number;
  readonly projector?: ProjectorHandle;
  readonly readModels?: ReadModelQueries;
  /** The scheduler's due backlog, for readiness; absent when no scheduler runs. */
  readonly dueBacklog?: DueBacklogHandle;
  /** The key store's lock against a master-key rotation, for readiness (PostgreSQL; elsewhere it is always held). */
  readonly keyStoreLock?: KeyStoreLockHandle;
}

/**
 * What the app was built from, for its embedder (the server, tests). No route sees it whole:
 * each route family is a plugin that receives only the parts it declares.
 */
export interface AppParts {
  readonly config: LedgerApiConfig;
  /** The store as given: the instrumented one, so every append is counted in `/metrics`. */
  readonly store: EventStore;
  readonly keys: ApiKeyRegistry;
  readonly ledger: Ledger;
  readonly metrics: ApiMetrics;
}

export interface LedgerApp {
  readonly app: FastifyInstance;
  readonly context: AppParts;
  /** Every `/v1` route with its roles and scope rule. */
  readonly routes: readonly RouteAccessEntry[];
}

/** A client-supplied request id is kept if it is short and printable; otherwise one is made (`requestIds`). */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * Request ids in the shape of a UUID: its first 20 hex digits those of a random UUID drawn once per
 * app (74 random bits), its last 12 a counter, so ids are unique within the app and, with
 * overwhelming likelihood, across processes and restarts.
 * A request id is a label for logs, not a secret; counting instead of drawing 122 fresh random
 * bits per request is a measurable share of a cached read (issue #15).
 */
function requestIds(): () => string {
  const prefix = randomUUID().slice(0, 24);
  let counter = 0;
  return () => {
    counter += 1;
    return prefix + counter.toString(16).padStart(12, '0');
  };
}

const noQuery = z.strictObject({});

/** Rate-limit counter names kept for reuse; past this many keys the list starts afresh. */
const COUNTER_NAMES_MAX = 10_000;

// eslint-disable-next-line max-lines-per-function -- the app's construction in registration order (hooks before routes); route families are already their own plugins
export async function buildApp(dependencies: AppDependencies): Promise<LedgerApp> {
  const { config } = dependencies;
  const metrics = dependencies.metrics ?? new ApiMetrics();
  const { store, ledger } = dependencies;
  metrics.observeCommandConflicts(() => ledger.conflicts);
  const projector = dependencies.projector;
  if (projector !== undefined) metrics.observeProjectionLag(() => projector.lag());
  const keys = await ApiKeyRegistry.load(store, { refreshIntervalMs: config.apiKeyRefreshMs });
  const context: AppParts = { config, store, keys, ledger, metrics };
  const idempotency = new IdempotencyRecords({ store, cacheEntriesMax: config.idempotencyCacheEntriesMax });
  const clock = dependencies.clock ?? (() => Date.now());
  const volunteers = new VolunteerCredentials(store, clock);
  const readModels = dependencies.readModels ?? null;
  const diskSpace = watchDiskSpace(config.dataDir, config.diskFreeBytesMin);
  metrics.observeDiskSpace(() => diskSpace.lastFreeBytes());

  const loggerInstance: FastifyBaseLogger = dependencies.logger;
  const nextRequestId = requestIds();
  const app = Fastify({
    loggerInstance,
    bodyLimit: config.bodyLimitBytes,
    // The whole request, body included (fastify's default is no limit), and its headers; see
    // HTTP_REQUEST_TIMEOUT_MS and HTTP_HEADERS_TIMEOUT_MS (http/connection-limits.ts).
    requestTimeout: config.http.requestTimeoutMs,
    http: httpServerOptions(config.http),
    genReqId: (raw) => {
      const given = raw.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : nextRequestId();
    },
    // Unknown query parameters are rejected by the strict schemas, not silently dropped.
    // The route table is compiled to JavaScript once every route is registered (find-my-way's
    // compiler mode): the same matches, a faster look-up per request (issue #15).
    routerOptions: { ignoreTrailingSlash: true, compile: true },
    // Errors raised before routing answer as problems too (http/framework-errors.ts).
    frameworkErrors: routerErrorHandler,
    clientErrorHandler: clientErrorHandler(dependencies.logger),
    // fastify's own 503 while closing is plain JSON; the onRequest hook below answers a problem instead.
    return503OnClosing: false,
    // Each request's pino child is made only when the request logs (http/request-logger.ts).
    childLoggerFactory: lazyChildLogger,
    // Its per-request lines are built only when they would be written (http/request-logger.ts).
    logController: new LevelAwareLogController(),
  });
  limitConnections(app, config.http, metrics.droppedConnections);
  // Bodies are JSON only; anything else is 415 UNSUPPORTED_MEDIA_TYPE rather than a confusing schema error.
  app.removeContentTypeParser('text/plain');
  // fastify decodes a JSON body as UTF-8 text, turning invalid bytes into U+FFFD without a word:
  // a name or title sent in another encoding would be stored, garbled, in the immutable history.
  // The bytes are checked first, and the default parser (proto-poisoning checks included) runs on
  // the text; a member name given twice in one object is refused too (http/json-duplicate-keys.ts).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // Bodies are never decompressed, so one the client says is encoded (gzip, br, …) cannot be
    // read: RFC 9110 §15.5.16 answers an unsupported content coding with 415. Reading it anyway
    // called gzip "not valid UTF-8", and took plain JSON mislabelled gzip as if it were unlabelled.
    if (isContentEncoded(request.headers['content-encoding'])) {
      done(
        ProblemError.http(
          'UNSUPPORTED_MEDIA_TYPE',
          'the request body must not be compressed: send it without Content-Encoding',
        ),
        undefined,
      );
      return;
    }
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(ProblemError.http('MALFORMED_JSON', 'the request body is not valid UTF-8'), undefined);
      return;
    }
    const text = bytes.toString('utf8');
    void parseJson(request, text, (error, value) => {
      // fastify's parser drops secure-json-parse's reason; text that plain JSON.parse reads was
      // refused for a prototype key, which is valid JSON: say what was refused.
      if (
        error !== null &&
        (error as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY' &&
        isJson(text)
      ) {
        done(
          ProblemError.http(
            'MALFORMED_JSON',
            'the request body names __proto__ or constructor.prototype, which no field is; refused',
          ),
          undefined,
        );
        return;
      }
      const repeated = error === null ? findDuplicateKey(text) : undefined;
      if (repeated !== undefined) {
        done(ProblemError.http('MALFORMED_JSON', `the request body gives ${repeated} twice`), undefined);
        return;
      }
      done(error, value);
    });
  });
  // Each request's checked reader (auth/request-reader.ts), a property of its own from the start.
  app.decorateRequest('ledgerReader', null);
  app.setValidatorCompiler(fastValidatorCompiler);
  app.setSerializerCompiler(fastSerializerCompiler);
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
  // These run on every request and never wait, so they take fastify's callback form: an async
  // hook costs a promise and a microtask turn per request for nothing (issue #15).
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    // A request that arrives while the server drains (its headers were still coming in at close).
    if (closing) {
      done(ProblemError.http('SHUTTING_DOWN', 'the server is shutting down; retry the request'));
      return;
    }
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  registerRequestMetrics(app, metrics.requestSeconds);

  // Per API key (its id; the key itself is never kept), per client address for unauthenticated
  // calls; a route may opt out (`config.rateLimit: false`) or set its own budget and key.
  // A key's counter name is made once per key id, not per request: the limiter's map then finds
  // it by a string whose hash is already known, instead of joining and hashing a new one (issue #15).
  const counterNames = new Map<string, string>();
  const keyOfRequest = (request: FastifyRequest): string => {
    const principal = request.principal;
    if (principal === null) return `ip:${request.ip}`;
    let name = counterNames.get(principal.keyId);
    if (name === undefined) {
      if (counterNames.size >= COUNTER_NAMES_MAX) counterNames.clear();
      name = `key:${principal.keyId}`;
      counterNames.set(principal.keyId, name);
    }
    return name;
  };
  const rateLimit = {
    max: config.rateLimit.requestsMax,
    timeWindow: config.rateLimit.windowSeconds * 1000,
  };
  const limiter = new RateLimiter(rateLimit, keyOfRequest);
  const routes = registerAccessControl(app, {
    keys,
    volunteers,
    checkActive: activeScopeCheck(ledger),
    limiterOf: (routeConfig) => {
      const own = routeConfig?.rateLimit;
      if (own === false) return null;
      return own === undefined ? limiter : new RateLimiter({ ...rateLimit, ...own }, keyOfRequest);
    },
    // Before the scope rule: a scope rule may itself wait on the read models for minPosition.
    beforeScope: minPositionCheck(store),
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

  await registerRouteFamilies(app.withTypeProvider<ZodTypeProvider>(), {
    config,
    store,
    keys,
    ledger,
    metrics,
    idempotency,
    clock,
    volunteers,
    projector: projector ?? null,
    readModels,
    dueBacklog: dependencies.dueBacklog ?? null,
    keyStoreLock: dependencies.keyStoreLock ?? null,
    diskSpace,
    personalStore: dependencies.personalStore ?? store,
  });

  await app.ready();
  return { app, context, routes };
}

/**
 * Each family is an encapsulated plugin given only what it uses; registered in this order, so the
 * route table (docs/api.md, the authorization matrix) lists the routes as it always has.
 */
async function registerRouteFamilies(
  app: TypedApp,
  parts: AppParts & {
    readonly idempotency: IdempotencyRecords;
    readonly clock: () => number;
    readonly volunteers: VolunteerCredentials;
    readonly projector: ProjectorHandle | null;
    readonly readModels: ReadModelQueries | null;
    readonly dueBacklog: DueBacklogHandle | null;
    readonly keyStoreLock: KeyStoreLockHandle | null;
    readonly diskSpace: DiskSpaceHandle;
    readonly personalStore: EventStore;
  },
): Promise<void> {
  const { config, store, keys, ledger, metrics, idempotency, clock, projector } = parts;
  const reader = storeReader(store);
  // Audit and read-model routes serve events as stored (sealed); command routes see them opened.
  const commands: CommandRouteDependencies = {
    ledger,
    store: storeReader(parts.personalStore),
    idempotency,
    metrics,
  };
  await app.register(systemRoutes, {
    store: reader,
    metrics,
    projector,
    dueBacklog: parts.dueBacklog,
    keyStoreLock: parts.keyStoreLock,
    diskSpace: parts.diskSpace,
  });
  await app.register(apiKeyRoutes, { keys, ledger, idempotency, metrics });
  await app.register(auditRoutes, { store: reader, checkLog: (options) => checkLog(store, options) });
  await app.register(volunteerRoutes, { ...commands, clock });
  await app.register(consentRoutes, commands);
  await app.register(serviceRecordRoutes, {
    ...commands,
    projector,
    readModels: parts.readModels,
    config,
  });
  await app.register(certificateRoutes, { ...commands, config, projector, readModels: parts.readModels });
  await app.register(recordRoutes, commands);
  await app.register(transferRoutes, commands);
  await app.register(partnerRoutes, { ...commands, clock, spendCodeGuard: createSpendCodeGuard(clock) });
  await app.register(adminRoutes, { ...commands, clock });
  await app.register(poolRoutes, { ...commands, clock });
  await app.register(disputeRoutes, { ...commands, projector, readModels: parts.readModels, config });
  const readModelReads = { ledger, store: reader, clock, projector, readModels: parts.readModels, config };
  await app.register(readModelRoutes, readModelReads);
  await app.register(asOfRoutes, readModelReads);
  await app.register(registryReadRoutes, { ledger, projector, readModels: parts.readModels, config });
  // The hierarchy's writes are commands: their store reader is the commands' one.
  await app.register(hierarchyRoutes, {
    clock,
    projector,
    readModels: parts.readModels,
    config,
    ...commands,
  });
  await app.register(projectRoutes, { clock, projector, readModels: parts.readModels, config, ...commands });
  // The web console (services/console), built on install or here when missing or stale.
  await app.register(volunteerSessionRoutes, { ledger, volunteers: parts.volunteers });
  await app.register(consoleRoutes, { assets: await loadConsoleAssets() });
}
