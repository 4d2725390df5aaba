/**
 * docs/api.md and the running app agree: every route is listed with its roles and scope rule,
 * and every error code the API can answer with is documented.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { DOMAIN_ERROR_STATUS } from '../src/http/domain-errors.js';
import { HTTP_ERROR_STATUS } from '../src/http/problem.js';
import { ROUTE_ERRORS, statusOfCode, type ErrorCode } from '../src/http/openapi-errors.js';
import { startHarness } from './harness.js';

const apiDoc = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'api.md'),
  'utf8',
);
/** Markdown table rows as trimmed cells (prettier pads them). */
const rows = apiDoc
  .split('\n')
  .filter((line) => line.startsWith('|'))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
const hasRow = (...cells: string[]) => rows.some((row) => cells.every((cell, index) => row[index] === cell));

t.test('every route is documented with its roles and scope rule', async (t) => {
  const h = await startHarness(t);
  t.ok(h.routes.length > 30, `${h.routes.length} routes`);
  for (const route of h.routes) {
    const roles = route.roles === 'public' ? 'public' : route.roles.join(', ');
    t.ok(
      hasRow(`\`${route.method} ${route.url}\``, roles, route.scope),
      `${route.method} ${route.url} (${roles}; ${route.scope})`,
    );
  }
});

t.test('every route docs/api.md lists exists', async (t) => {
  const h = await startHarness(t);
  // The access table, and what fastify serves outside it (the operations routes, the OpenAPI UI).
  const registered = new Set(h.routes.map((route) => `${route.method} ${route.url}`));
  const served = (route: string) => {
    const [method = '', url = ''] = route.split(' ');
    return registered.has(route) || h.app.hasRoute({ method, url });
  };
  const documented = rows
    .flatMap((row) => [...(row[0] ?? '').matchAll(/`((?:GET|POST|PUT|PATCH|DELETE) \/[^`]*)`/g)])
    .map((match) => match[1] ?? '');
  t.ok(documented.length >= h.routes.length, `${documented.length} documented routes`);
  for (const route of documented) t.ok(served(route), `${route} is registered`);
});

const errorsDoc = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'errors.md'),
  'utf8',
);

/** `code → status` rows of the "## HTTP-layer codes" section of docs/errors.md. */
function documentedHttpCodes(markdown: string): Map<string, number> {
  const start = markdown.indexOf('\n## HTTP-layer codes\n');
  if (start < 0) throw new Error('docs/errors.md has no "## HTTP-layer codes" section');
  const next = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return new Map(
    [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)`\s*\|\s*(\d{3})\s*\|/gm)].map((match) => [
      match[1] ?? '',
      Number(match[2]),
    ]),
  );
}

t.test('docs/errors.md lists exactly the HTTP-layer catalogue, with each status', async (t) => {
  const documented = documentedHttpCodes(errorsDoc);
  t.same(Object.fromEntries(documented), { ...HTTP_ERROR_STATUS });
});

t.test('every error code is documented with its status', async (t) => {
  for (const [code, status] of Object.entries(HTTP_ERROR_STATUS)) {
    t.ok(hasRow(`\`${code}\``, String(status)), `${code} → ${status}`);
  }
  for (const [code, status] of Object.entries(DOMAIN_ERROR_STATUS)) {
    const section = new RegExp(`\\*\\*${status}\\*\\*[^*]*\`${code}\``);
    t.match(apiDoc, section, `${code} under ${status}`);
  }
});

interface JsonSchema {
  type?: string;
  format?: string;
  pattern?: string;
  $ref?: string;
  enum?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
}
interface Operation {
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

async function openApi(t: Test) {
  const h = await startHarness(t);
  const response = await h.app.inject({ method: 'GET', url: '/docs/json' });
  return { h, document: response.json<OpenApiDocument>() };
}

function* operationsOf(document: OpenApiDocument) {
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      yield { name: `${method.toUpperCase()} ${path}`, operation };
    }
  }
}

/** The codes an operation lists under `status`, checked to be a problem+json response. */
function listedCodes(t: Test, name: string, operation: Operation, status: string): string[] {
  const schema = operation.responses[status]?.content?.['application/problem+json']?.schema;
  if (schema === undefined) return [];
  t.equal(schema.allOf?.[0]?.$ref, '#/components/schemas/Problem', `${name} ${status}: the Problem schema`);
  return schema.allOf?.[1]?.properties?.code?.enum ?? [];
}

t.test(
  'every operation lists its 4xx and 5xx problems, with codes and statuses from the catalogue',
  async (t) => {
    const { h, document } = await openApi(t);
    t.match(document.components.schemas.Problem, { required: ['type', 'title', 'status', 'code'] });
    let operations = 0;
    for (const { name, operation } of operationsOf(document)) {
      operations += 1;
      const statuses = Object.keys(operation.responses).map(Number);
      t.ok(
        statuses.some((status) => status >= 400 && status < 500),
        `${name} lists 4xx responses`,
      );
      t.ok(
        statuses.some((status) => status >= 500),
        `${name} lists 5xx responses`,
      );
      for (const status of statuses.filter((candidate) => candidate >= 400)) {
        const codes = listedCodes(t, name, operation, String(status));
        t.ok(codes.length > 0, `${name} ${status} names its codes`);
        for (const code of codes)
          t.equal(statusOfCode(code as ErrorCode), status, `${name}: ${code} is ${status}`);
      }
      t.ok(listedCodes(t, name, operation, '500').includes('INTERNAL_ERROR'), `${name}: INTERNAL_ERROR`);
    }
    t.ok(operations >= h.routes.length, `${operations} operations`);

    const expectations: [operation: string, status: string, code: string][] = [
      ['GET /v1/partners/{partnerId}/statement', '404', 'PARTNER_NOT_FOUND'],
      ['GET /v1/partners/{partnerId}/statement', '400', 'POSITION_BEYOND_HEAD'],
      ['GET /v1/partners/{partnerId}/statement', '503', 'READ_MODEL_BEHIND'],
      ['GET /v1/partners/{partnerId}/statement', '414', 'URI_TOO_LONG'],
      ['GET /v1/audit/events', '401', 'UNAUTHENTICATED'],
      ['POST /v1/volunteers', '409', 'IDEMPOTENCY_KEY_REUSED'],
      ['POST /v1/volunteers', '409', 'VOLUNTEER_ALREADY_REGISTERED'],
      ['POST /v1/volunteers', '415', 'UNSUPPORTED_MEDIA_TYPE'],
      ['POST /v1/admin/api-keys/{keyId}/revoke', '404', 'API_KEY_NOT_FOUND'],
      ['GET /v1/certificates/{certificateNumber}/verification', '429', 'RATE_LIMITED'],
      ['GET /v1/audit/volunteers/by-number/{volunteerNumber}/as-of', '404', 'VOLUNTEER_NOT_FOUND'],
      ['GET /v1/audit/volunteers/by-number/{volunteerNumber}/as-of', '503', 'READ_MODEL_BEHIND'],
    ];
    for (const [name, status, code] of expectations) {
      const [method = '', path = ''] = name.split(' ');
      const operation = document.paths[path]?.[method.toLowerCase()];
      t.ok(
        operation !== undefined && listedCodes(t, name, operation, status).includes(code),
        `${name} lists ${code}`,
      );
    }
    const certificateVerification = document.paths['/v1/certificates/{certificateNumber}/verification']?.get;
    t.notOk(certificateVerification?.responses['401'], 'a public route lists no 401');
  },
);

t.test('the codes a handler raises itself name registered routes', async (t) => {
  const h = await startHarness(t);
  const registered = new Set(h.routes.map((route) => `${route.method} ${route.url}`));
  for (const [route, codes] of Object.entries(ROUTE_ERRORS)) {
    t.ok(registered.has(route), `${route} exists`);
    for (const code of codes) t.ok(statusOfCode(code) >= 400, `${code} is in a catalogue`);
  }
});

/** Every property of a schema, with its name, depth first. */
function* propertiesOf(schema: JsonSchema, name = ''): Generator<[string, JsonSchema]> {
  if (name !== '') yield [name, schema];
  for (const [key, child] of Object.entries(schema.properties ?? {})) yield* propertiesOf(child, key);
  if (schema.items !== undefined) yield* propertiesOf(schema.items, name);
  for (const part of [...(schema.allOf ?? []), ...(schema.anyOf ?? [])]) yield* propertiesOf(part, name);
}

t.test(
  '200 responses are typed: time fields as date-time, positions and revisions with a pattern',
  async (t) => {
    const { document } = await openApi(t);
    const ok = (path: string) =>
      document.paths[path]?.get?.responses['200']?.content?.['application/json']?.schema ?? {};
    const byNumber = ok('/v1/volunteers/by-number/{volunteerNumber}');
    t.match(byNumber.properties, { volunteerId: { type: 'string' }, registeredAt: { format: 'date-time' } });
    t.match(byNumber.properties?.points?.properties, { availableCentipoints: { type: 'integer' } });
    const statistics = ok('/v1/communities/{community}/statistics');
    t.match(statistics.properties, {
      activeSince: { format: 'date-time' },
      hoursPerMonth: { type: 'array' },
    });
    const summary = ok('/v1/volunteers/{volunteerId}');
    const asOf = ok('/v1/audit/volunteers/{volunteerId}/as-of');
    t.same(
      Object.keys(asOf.properties?.summary?.properties ?? {}).sort(),
      Object.keys(summary.properties ?? {}).sort(),
      'the as-of summary is the volunteer summary',
    );
    t.same(
      ok('/v1/audit/volunteers/by-number/{volunteerNumber}/as-of'),
      asOf,
      'the as-of answer by number is the as-of answer by id',
    );
    t.ok(Object.keys(summary.properties ?? {}).length > 10, 'and it is not an empty record');

    let timeFields = 0;
    let positionFields = 0;
    for (const { name, operation } of operationsOf(document)) {
      for (const response of Object.values(operation.responses)) {
        const schema = response.content?.['application/json']?.schema;
        if (schema === undefined) continue;
        for (const [field, property] of propertiesOf(schema)) {
          const nullableType = property.anyOf?.find((part) => part.type === 'string') ?? property;
          if (/(At|Since|From|Until)$/.test(field) && nullableType.type === 'string') {
            timeFields += 1;
            t.equal(nullableType.format, 'date-time', `${name}: ${field} is a date-time`);
          }
          if (
            /^(position|revision)$|(Position|Revision|After)$/.test(field) &&
            nullableType.type === 'string'
          ) {
            positionFields += 1;
            t.equal(nullableType.pattern, '^\\d{1,19}$', `${name}: ${field} has the 64-bit pattern`);
          }
        }
      }
    }
    t.ok(timeFields > 10, `${timeFields} time fields checked`);
    t.ok(positionFields > 10, `${positionFields} position fields checked`);
  },
);

t.test('docs/api.md gives each topic of a section one bullet', async (t) => {
  // A topic written twice drifts: the two bullets on partners once disagreed on what a statement lists.
  for (const section of apiDoc.split(/\n(?=#{1,6} )/)) {
    const heading = section.split('\n', 1)[0] ?? '';
    const topics = [...section.matchAll(/^- \*\*([^*]+)\*\*/gm)].map((match) => match[1] ?? '');
    const repeated = topics.filter((topic, index) => topics.indexOf(topic) !== index);
    t.same(repeated, [], `${heading}: no topic has two bullets`);
  }
});

t.test('docs/api.md names the capture and release bodies as the routes take them', async (t) => {
  const { document } = await openApi(t);
  for (const action of ['capture', 'release']) {
    const schema =
      document.paths[`/v1/partners/{partnerId}/holds/{holdId}/${action}`]?.post?.requestBody?.content?.[
        'application/json'
      ]?.schema;
    t.same(Object.keys(schema?.properties ?? {}), ['volunteerId'], `${action}: the body is the volunteer id`);
  }
  const prose = apiDoc.replace(/\s+/g, ' ');
  const documented =
    /`POST \/v1\/partners\/:partnerId\/holds\/:holdId\/capture` or `…\/release`\) names the volunteer in its body, `\{ ([^`]*) \}` and nothing else/.exec(
      prose,
    );
  t.ok(documented, 'the partners bullet shows the body of a capture or a release');
  t.same(
    [...(documented?.[1] ?? '').matchAll(/"(\w+)":/g)].map((match) => match[1]),
    ['volunteerId'],
    'with exactly the member the routes take',
  );
});
