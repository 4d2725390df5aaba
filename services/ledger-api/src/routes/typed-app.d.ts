/**
 * The fastify instance route plugins register on: zod schemas type the handlers. Each route
 * family is an encapsulated plugin, `app.register(plugin, dependencies)`, that receives only the
 * dependencies it declares; the root's hooks (access control, minPosition, metrics, the OpenAPI
 * collector) were added before the plugins and so apply to every route.
 */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
export type TypedApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;
