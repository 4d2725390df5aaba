import { readFileSync } from 'node:fs';
import t from 'tap';
import { PROJECTION_ERROR_CODES } from '../src/errors.js';

const SECTION = '## Projection error codes';

/** Codes listed as table rows (`| \`CODE\` | …`) under the projection heading of docs/errors.md. */
function documentedProjectionCodes(markdown: string): string[] {
  const start = markdown.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`docs/errors.md has no "${SECTION}" section`);
  const next = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((match) => match[1] ?? '');
}

const ERRORS_MARKDOWN = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

t.test('docs/errors.md lists exactly the projection error codes', async (t) => {
  const documented = documentedProjectionCodes(ERRORS_MARKDOWN);
  const catalogue: readonly string[] = PROJECTION_ERROR_CODES;
  t.same(
    documented.filter((code) => !catalogue.includes(code)),
    [],
    'every documented code exists in PROJECTION_ERROR_CODES',
  );
  t.same(
    catalogue.filter((code) => !documented.includes(code)),
    [],
    'every code in PROJECTION_ERROR_CODES is documented',
  );
  t.equal(new Set(documented).size, documented.length, 'no code is documented twice');
});

t.test('the parser reads only the projection section', async (t) => {
  const withoutOne = ERRORS_MARKDOWN.replace(/^\| `PROJECTION_STOPPED`.*\n/m, '');
  t.notOk(documentedProjectionCodes(withoutOne).includes('PROJECTION_STOPPED'), 'a removed row is missed');
  t.notOk(
    documentedProjectionCodes(ERRORS_MARKDOWN).includes('INSUFFICIENT_POINTS'),
    'domain codes are another section',
  );
  t.throws(() => documentedProjectionCodes('# Error codes\n'), /no "## Projection error codes" section/);
});
