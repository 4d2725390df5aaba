import { readFileSync } from 'node:fs';
import t from 'tap';
import { DOMAIN_ERROR_CODES } from '../src/index.js';

/** Codes listed as table rows (`| \`CODE\` | …`) under the "## Domain error codes" heading of docs/errors.md. */
function documentedDomainCodes(markdown: string): string[] {
  const start = markdown.indexOf('\n## Domain error codes\n');
  if (start < 0) throw new Error('docs/errors.md has no "## Domain error codes" section');
  const next = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((match) => match[1] ?? '');
}

const ERRORS_MARKDOWN = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

t.test('docs/errors.md lists exactly the domain error catalogue', async (t) => {
  const documented = documentedDomainCodes(ERRORS_MARKDOWN);
  const catalogue: readonly string[] = DOMAIN_ERROR_CODES;
  t.same(
    documented.filter((code) => !catalogue.includes(code)),
    [],
    'every documented code exists in DOMAIN_ERROR_CODES',
  );
  t.same(
    catalogue.filter((code) => !documented.includes(code)),
    [],
    'every code in DOMAIN_ERROR_CODES is documented',
  );
  t.equal(new Set(documented).size, documented.length, 'no code is documented twice');
  t.equal(new Set(catalogue).size, catalogue.length, 'no code is listed twice in the catalogue');
});

t.test('the parser reads only the domain section, so a missing domain code would be caught', async (t) => {
  const withoutOne = ERRORS_MARKDOWN.replace(/^\| `HOLD_EXPIRED`.*\n/m, '');
  t.notOk(documentedDomainCodes(withoutOne).includes('HOLD_EXPIRED'));
  t.notOk(
    documentedDomainCodes(ERRORS_MARKDOWN).includes('WRONG_EXPECTED_VERSION'),
    'store codes are a separate section',
  );
  t.ok(ERRORS_MARKDOWN.includes('`WRONG_EXPECTED_VERSION`'), 'store codes are documented too');
});
