/**
 * docs/api.md and the running app agree: every route is listed with its roles and scope rule,
 * and every error code the API can answer with is documented.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { DOMAIN_ERROR_STATUS } from '../src/http/domain-errors.js';
import { HTTP_ERROR_STATUS } from '../src/http/problem.js';
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

t.test('every error code is documented with its status', async (t) => {
  for (const [code, status] of Object.entries(HTTP_ERROR_STATUS)) {
    t.ok(hasRow(`\`${code}\``, String(status)), `${code} → ${status}`);
  }
  for (const [code, status] of Object.entries(DOMAIN_ERROR_STATUS)) {
    const section = new RegExp(`\\*\\*${status}\\*\\*[^*]*\`${code}\``);
    t.match(apiDoc, section, `${code} under ${status}`);
  }
});
