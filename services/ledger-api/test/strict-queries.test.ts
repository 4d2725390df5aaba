/**
 * Every query is strict: a parameter a route does not take is 400 VALIDATION_FAILED naming it,
 * never silently ignored (docs/api.md). Iterates every GET route, so a route
 * added later without a query schema is covered too.
 */
import t from 'tap';
import { startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

/** Path parameter values that pass each parameter's schema, so the query is what fails. */
const SAMPLE_PARAMS: Readonly<Record<string, string>> = {
  volunteerId: 'v1',
  volunteerNumber: 'TB000000000000',
  partnerId: 'p1',
  community: 'c1',
  unitId: 'c1',
  projectId: 'pr1',
  beneficiaryId: 'b-1',
  organisationId: 'org1',
  streamName: 'access-keys',
  keyId: '00000000-0000-4000-8000-000000000000',
  certificateNumber: 'SC5BNENTQAXBNENTQAXBNENTQAXB-0001-X7YQW1AX',
};

t.test('an unknown query parameter is 400 on every GET route', async (t) => {
  const w = await startWorld(t);
  const getRoutes = [
    ...w.routes.filter((route) => route.method === 'GET').map((route) => route.url),
    '/healthz',
    '/readyz',
    '/metrics',
  ];
  t.ok(getRoutes.length >= 20, `${getRoutes.length} GET routes`);
  for (const route of getRoutes) {
    const path = route.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
      const value = SAMPLE_PARAMS[name];
      if (value === undefined) throw new Error(`no sample value for :${name} of ${route}`);
      return value;
    });
    // The as-of route needs one of its own parameters, so the unknown one is the only fault.
    const known = route.endsWith('/as-of') ? 'at=2026-01-01T00:00:00Z&' : '';
    const response = await w.get(`${path}?${known}unknownParam=1`, w.admin);
    t.equal(response.statusCode, 400, route);
    const problem = problemOf(t, response);
    t.equal(problem.code, 'VALIDATION_FAILED', route);
    t.same(
      problem.errors?.map((issue) => issue.field),
      ['query.unknownParam'],
      `${route} names the parameter`,
    );
  }
});
