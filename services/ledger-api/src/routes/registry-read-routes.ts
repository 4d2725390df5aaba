/**
 * What an administrator (or an auditor) needs to see before changing the registry: the partners
 * and organisations with their status (from the read models) and the city's hierarchy as it stands now (folded from
 * its single stream, so it needs no projector). Desks read the organisations too (below).
 */
import { z } from 'zod';
import { ID_PATTERN } from '@timebank/domain';
import { ANY_SCOPE } from '../auth/access.js';
import { instantOnTheWire } from '../http/positions.js';
import {
  PAGE_SIZE_MAX,
  pageSize,
  readModels,
  readQuery,
  type ReadModelRouteDependencies,
} from './read-model-routes.js';
import type { TypedApp } from './typed-app.js';

const READERS = { access: { roles: ['admin', 'auditor'], scope: ANY_SCOPE } } as const;
/**
 * The organisations are read by desks too, whatever their community: a desk filing a dispute for
 * missing hours names the organisation that ran the activity, which may be anywhere in the city,
 * and picks it from this list rather than typing its id. Ids, names, communities and status name
 * no person.
 */
const ORGANISATION_READERS = { access: { roles: ['admin', 'auditor', 'desk'], scope: ANY_SCOPE } } as const;

/** A page cursor of either list: the last row's id (ids are unique and the lists go by id). */
const idCursor = z.string().regex(ID_PATTERN, 'expected the nextCursor of the previous page');

/** `limit` and `cursor` of a list by id, `what` naming its rows in the API documentation. */
const pagedQuery = (what: string) =>
  readQuery.extend({
    cursor: idCursor.optional().describe("The previous page's nextCursor (default: from the start)"),
    limit: pageSize.describe(`${what} per page, 1 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_MAX})`),
  });

const nextCursor = z
  .string()
  .nullable()
  .describe('Pass as `cursor` for the next page (which may be empty); null at the end');

/** The next page's cursor: the last row's id when the page is full, else null (no more rows). */
function nextCursorOf(ids: readonly string[], limit: number): string | null {
  const last = ids.at(-1);
  return last !== undefined && ids.length === limit ? last : null;
}

export type RegistryReadRouteDependencies = Pick<
  ReadModelRouteDependencies,
  'ledger' | 'projector' | 'readModels' | 'config'
>;

/** The registry reads, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function registryReadRoutes(
  app: TypedApp,
  context: RegistryReadRouteDependencies,
): Promise<void> {
  app.get(
    '/v1/admin/partners',
    {
      config: { ...READERS, readsModels: true },
      schema: {
        tags: ['administrators'],
        summary: 'The registered partners with their status, by id, a page at a time (read model)',
        querystring: pagedQuery('Partners'),
        response: {
          200: z.object({
            partners: z.array(
              z.object({
                partnerId: z.string(),
                name: z.string(),
                community: z.string(),
                status: z.enum(['active', 'suspended']),
                registeredAt: instantOnTheWire,
              }),
            ),
            nextCursor,
          }),
        },
      },
    },
    async (request) => {
      const { cursor } = request.query;
      const limit = request.query.limit ?? PAGE_SIZE_MAX;
      const queries = await readModels(context, request.query.minPosition);
      const partners = await queries.partners({ limit, ...(cursor === undefined ? {} : { after: cursor }) });
      return {
        partners: partners.map((partner) => ({
          ...partner,
          status: partner.status === 'suspended' ? ('suspended' as const) : ('active' as const),
        })),
        nextCursor: nextCursorOf(
          partners.map((partner) => partner.partnerId),
          limit,
        ),
      };
    },
  );

  app.get(
    '/v1/admin/organisations',
    {
      config: { ...ORGANISATION_READERS, readsModels: true },
      schema: {
        tags: ['administrators'],
        summary: 'The registered organisations with their status, by id, a page at a time (read model)',
        querystring: pagedQuery('Organisations'),
        response: {
          200: z.object({
            organisations: z.array(
              z.object({
                organisationId: z.string(),
                name: z.string(),
                community: z.string(),
                status: z.enum(['active', 'suspended']),
                registeredAt: instantOnTheWire,
              }),
            ),
            nextCursor,
          }),
        },
      },
    },
    async (request) => {
      const { cursor } = request.query;
      const limit = request.query.limit ?? PAGE_SIZE_MAX;
      const queries = await readModels(context, request.query.minPosition);
      const organisations = await queries.organisations({
        limit,
        ...(cursor === undefined ? {} : { after: cursor }),
      });
      return {
        organisations: organisations.map((organisation) => ({
          ...organisation,
          status: organisation.status === 'suspended' ? ('suspended' as const) : ('active' as const),
        })),
        nextCursor: nextCursorOf(
          organisations.map((organisation) => organisation.organisationId),
          limit,
        ),
      };
    },
  );

  app.get(
    '/v1/admin/hierarchy',
    {
      config: READERS,
      schema: {
        tags: ['administrators'],
        summary: "The city's units (city, districts, streets, communities) as the tree stands now",
        response: {
          200: z.object({
            units: z.array(
              z.object({
                unitId: z.string(),
                level: z.enum(['city', 'district', 'street', 'community']),
                name: z.string(),
                parentId: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const { state } = await context.ledger.load('hierarchy');
      const units = [...state.units.values()].map((unit) => ({
        unitId: unit.id,
        level: unit.level,
        name: unit.name,
        parentId: unit.parentId,
      }));
      units.sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
      return { units };
    },
  );
}
