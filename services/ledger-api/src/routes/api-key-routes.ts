/**
 * Administrators issue, list and revoke API keys. Issuing and revoking are events in the
 * `access-keys` stream, so the audit feed shows who could do what, and since when.
 */
import { z } from 'zod';
import type { Ledger } from '@timebank/application';
import { freeTextSchema, textFieldSchema } from '@timebank/domain';
import { ANY_SCOPE } from '../auth/access.js';
import { assertScopeFitsRole, type ApiKeyRecord, type ApiKeyRegistry } from '../auth/api-keys.js';
import { assertScopeRegistered } from '../auth/domain-scope.js';
import { actorOf, ROLES, scopeSchema } from '../auth/principal.js';
import { idempotentWrite, positionSchema, writeHeaders, type WriteDependencies } from '../http/write.js';
import type { TypedApp } from './typed-app.js';

const ADMIN_ONLY = { access: { roles: ['admin'], scope: ANY_SCOPE } } as const;

const keySummarySchema = z.object({
  keyId: z.uuid(),
  role: z.enum(ROLES),
  scope: scopeSchema,
  label: z.string(),
  issuedBy: z.string(),
  issuedPosition: positionSchema,
  revoked: z.boolean(),
});

function summary(record: ApiKeyRecord): z.infer<typeof keySummarySchema> {
  return {
    keyId: record.keyId,
    role: record.role,
    scope: record.scope,
    label: record.label,
    issuedBy: record.issuedBy,
    issuedPosition: record.issuedPosition,
    revoked: record.revoked,
  };
}

export interface ApiKeyRouteDependencies extends WriteDependencies {
  readonly keys: ApiKeyRegistry;
  /** Checks that a key's organisation or partner is registered. */
  readonly ledger: Ledger;
}

/** The apiKey routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function apiKeyRoutes(app: TypedApp, context: ApiKeyRouteDependencies): Promise<void> {
  app.post(
    '/v1/admin/api-keys',
    {
      config: ADMIN_ONLY,
      schema: {
        tags: ['administrators'],
        summary: 'Issue an API key bound to a role and a scope; the key is shown only in this response',
        headers: writeHeaders,
        body: z.strictObject({
          role: z.enum(ROLES),
          scope: scopeSchema,
          label: textFieldSchema.describe('Who holds the key, e.g. "Desk, Qiaoxi community"'),
        }),
        response: {
          201: keySummarySchema.extend({
            key: z.string().optional().describe('The key itself; absent when a repeat request is replayed'),
            position: positionSchema,
          }),
        },
      },
    },
    async (request, reply) =>
      idempotentWrite(context, request, reply, async (commandKey) => {
        // A key bound to an organisation or partner that does not exist would act for nobody.
        assertScopeFitsRole(request.body.role, request.body.scope);
        await assertScopeRegistered(context.ledger, request.body.scope);
        const issued = await context.keys.issue({
          role: request.body.role,
          scope: request.body.scope,
          label: request.body.label,
          issuedBy: actorOf(request.principal!),
          idempotencyKey: commandKey,
        });
        const body = { ...summary(issued.record), position: issued.position.toString() };
        // The secret exists only in this first response: the durable record keeps everything else.
        return { statusCode: 201, body: { ...body, key: issued.key }, recordedBody: body };
      }),
  );

  app.get(
    '/v1/admin/api-keys',
    {
      config: ADMIN_ONLY,
      schema: {
        tags: ['administrators'],
        summary: 'List API keys (never the keys themselves)',
        response: { 200: z.object({ keys: z.array(keySummarySchema) }) },
      },
    },
    async () => ({ keys: context.keys.list().map(summary) }),
  );

  app.post(
    '/v1/admin/api-keys/:keyId/revoke',
    {
      config: ADMIN_ONLY,
      schema: {
        tags: ['administrators'],
        summary: 'Revoke an API key; it stops working at once',
        headers: writeHeaders,
        params: z.strictObject({ keyId: z.uuid() }),
        body: z.strictObject({ reason: freeTextSchema({ lengthMax: 500 }) }),
        response: { 200: keySummarySchema.extend({ position: positionSchema }) },
      },
    },
    async (request, reply) =>
      idempotentWrite(context, request, reply, async (commandKey) => {
        const revoked = await context.keys.revoke({
          keyId: request.params.keyId,
          reason: request.body.reason,
          revokedBy: actorOf(request.principal!),
          idempotencyKey: commandKey,
        });
        return {
          statusCode: 200,
          body: { ...summary(revoked.record), position: revoked.position.toString() },
        };
      }),
  );
}
